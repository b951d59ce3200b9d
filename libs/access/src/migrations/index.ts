import type { DatabaseMigrations } from '@custos/core';
import { Access1795376111887 as AccessSqlite } from './sqlite/1795376111887-Access';
import { Access1795376111887 as AccessPostgres } from './postgres/1795376111887-Access';

/**
 * The tables of roles, record rules, field permissions and access versions, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const ACCESS_MIGRATIONS: DatabaseMigrations = {
  sqlite: [AccessSqlite],
  postgres: [AccessPostgres],
};
