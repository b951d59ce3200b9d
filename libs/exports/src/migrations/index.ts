import type { DatabaseMigrations } from '@custos/core';
import { Exports1797000000000 as ExportsSqlite } from './sqlite/1797000000000-Exports';
import { Exports1797000000000 as ExportsPostgres } from './postgres/1797000000000-Exports';

/**
 * The tables of exports and export settings, per database, oldest first: spread them into your
 * DataSource's `migrations` (the schema of a lib is never synchronised in production).
 */
export const EXPORTS_MIGRATIONS: DatabaseMigrations = {
  sqlite: [ExportsSqlite],
  postgres: [ExportsPostgres],
};
