import { definePrivileges, withholdFromPartnerAdmins } from '@custos/core';

/** Task privileges of `@custos/privacy`: `manage_privacy_requests` (intake and handle requests). */
export const PRIVACY_PRIVILEGES = definePrivileges(['manage_privacy_requests'] as const);
export type PrivacyPrivilege = (typeof PRIVACY_PRIVILEGES)[number];

/**
 * Partner admins never handle data subjects' requests: answering one reaches every personal
 * datum of a person in the account (and erases it), a controller's duty (Art. 12) that the
 * customer's own staff carry; a partner firm is the account's processor (Art. 28).
 */
withholdFromPartnerAdmins(PRIVACY_PRIVILEGES);
