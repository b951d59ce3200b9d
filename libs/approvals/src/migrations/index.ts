import type { DatabaseMigrations } from '@custos/core';
import { ApprovalRequests1796482666682 as ApprovalRequestsSqlite } from './sqlite/1796482666682-ApprovalRequests';
import { ApprovalRequests1796482666682 as ApprovalRequestsPostgres } from './postgres/1796482666682-ApprovalRequests';

/**
 * The approval requests table, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const APPROVAL_MIGRATIONS: DatabaseMigrations = {
  sqlite: [ApprovalRequestsSqlite],
  postgres: [ApprovalRequestsPostgres],
};
