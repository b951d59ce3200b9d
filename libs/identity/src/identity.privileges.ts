import { definePrivileges } from '@custos/core';

/** Task privileges of `@custos/identity`. */
export const IDENTITY_PRIVILEGES = definePrivileges([
  'manage_account',
  'manage_users',
  'manage_teams',
  'manage_business_units',
  'manage_api_keys',
] as const);
export type IdentityPrivilege = (typeof IDENTITY_PRIVILEGES)[number];
