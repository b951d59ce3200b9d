import { definePrivileges } from '@custos/core';

/**
 * Task privileges of the reference server: the CRM's, the sensitive-data setting's, and those
 * of features the next libs (exports, privacy, partners) will define themselves.
 */
export const SERVER_PRIVILEGES = definePrivileges([
  'manage_properties',
  'import',
  'export',
  'approve_exports',
  'export_without_approval',
  'manage_privacy_requests',
  'manage_partner_access',
  'manage_sensitive_data',
] as const);
export type ServerPrivilege = (typeof SERVER_PRIVILEGES)[number];
