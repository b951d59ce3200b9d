import type { DatabaseMigrations } from '@custos/core';
import { Privacy1797300000000 as PrivacyPostgres } from './postgres/1797300000000-Privacy';
import { PrivacyRights1797318000000 as PrivacyRightsPostgres } from './postgres/1797318000000-PrivacyRights';
import { Privacy1797300000000 as PrivacySqlite } from './sqlite/1797300000000-Privacy';
import { PrivacyRights1797318000000 as PrivacyRightsSqlite } from './sqlite/1797318000000-PrivacyRights';

/**
 * The privacy tables, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const PRIVACY_MIGRATIONS: DatabaseMigrations = {
  sqlite: [PrivacySqlite, PrivacyRightsSqlite],
  postgres: [PrivacyPostgres, PrivacyRightsPostgres],
};
