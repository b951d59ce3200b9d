import type { DatabaseMigrations } from '@custos/core';
import { Privacy1797300000000 as PrivacyPostgres } from './postgres/1797300000000-Privacy';
import { PrivacyErasure1797500000001 as PrivacyErasurePostgres } from './postgres/1797500000001-PrivacyErasure';
import { Privacy1797300000000 as PrivacySqlite } from './sqlite/1797300000000-Privacy';
import { PrivacyErasure1797500000001 as PrivacyErasureSqlite } from './sqlite/1797500000001-PrivacyErasure';

/**
 * The privacy tables, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const PRIVACY_MIGRATIONS: DatabaseMigrations = {
  sqlite: [PrivacySqlite, PrivacyErasureSqlite],
  postgres: [PrivacyPostgres, PrivacyErasurePostgres],
};
