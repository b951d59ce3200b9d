import { definePrivileges, withholdFromPartnerAdmins } from '@custos/core';

/**
 * Task privileges of `@custos/partners`: `manage_partner_access` reads partner seats and partner
 * admins and ends partner relationships. Partner admins never hold it (they would administer
 * their own access and other firms').
 */
export const PARTNER_PRIVILEGES = withholdFromPartnerAdmins(
  definePrivileges(['manage_partner_access'] as const),
);
export type PartnerPrivilege = (typeof PARTNER_PRIVILEGES)[number];
