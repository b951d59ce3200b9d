import type { DatabaseMigrations } from '@custos/core';
import { Partners1797300000000 as PartnersSqlite } from './sqlite/1797300000000-Partners';
import { Partners1797300000000 as PartnersPostgres } from './postgres/1797300000000-Partners';

/**
 * The partner tables (firms, employees, seats, link requests), per database, oldest first:
 * spread them into your DataSource's `migrations` (the schema of a lib is never synchronised in
 * production). They need `@custos/identity`'s, which mark partner memberships.
 */
export const PARTNER_MIGRATIONS: DatabaseMigrations = {
  sqlite: [PartnersSqlite],
  postgres: [PartnersPostgres],
};
