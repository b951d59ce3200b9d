import { definePrivileges } from '@custos/core';

/**
 * The task privilege of mass mailings: `send_mailings` (create, send and cancel one's mailings
 * to the contacts one may read, see what happened to each). Record rules still decide who is
 * mailed, consent and the blacklist whether.
 */
export const MAILING_PRIVILEGES = definePrivileges(['send_mailings'] as const);
export type MailingPrivilege = (typeof MAILING_PRIVILEGES)[number];
