import { definePrivileges } from '@custos/core';

/**
 * Task privileges of `@custos/exports`: `export` (ask for exports), `approve_exports` (decide
 * export approval requests; super admins hold it too), `export_without_approval` (skip approval).
 */
export const EXPORT_PRIVILEGES = definePrivileges([
  'export',
  'approve_exports',
  'export_without_approval',
] as const);
export type ExportPrivilege = (typeof EXPORT_PRIVILEGES)[number];
