/**
 * Privileges that are not tied to a record (Dynamics 365 "miscellaneous privileges").
 * Super admins hold all of them; roles (from `@custos/access`) and API-key scopes grant subsets.
 */
export const TASK_PRIVILEGES = [
  'manage_account',
  'manage_users',
  'manage_teams',
  'manage_business_units',
  'manage_api_keys',
  'manage_roles',
  'manage_properties',
  'view_audit_log',
  'import',
  'export',
  'approve_exports',
  'export_without_approval',
  'manage_privacy_requests',
  'manage_partner_access',
  'manage_sensitive_data',
] as const;

export type TaskPrivilege = (typeof TASK_PRIVILEGES)[number];

export function isTaskPrivilege(value: unknown): value is TaskPrivilege {
  return typeof value === 'string' && (TASK_PRIVILEGES as readonly string[]).includes(value);
}
