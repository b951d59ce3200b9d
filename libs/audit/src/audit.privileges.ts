import { definePrivileges } from '@custos/core';

/** Task privileges of `@custos/audit`. */
export const AUDIT_PRIVILEGES = definePrivileges(['view_audit_log'] as const);
export type AuditPrivilege = (typeof AUDIT_PRIVILEGES)[number];
