import { definePrivileges } from '@custos/core';

/**
 * Task privileges of `@custos/consent`: `record_consent` (see the consent history of the contacts
 * one may read, record consent given or withdrawn by phone or in person), `manage_consent`
 * (purposes and notice texts, the blacklist, bounces, chain verification).
 */
export const CONSENT_PRIVILEGES = definePrivileges(['record_consent', 'manage_consent'] as const);
export type ConsentPrivilege = (typeof CONSENT_PRIVILEGES)[number];
