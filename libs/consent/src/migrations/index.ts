import type { DatabaseMigrations } from '@custos/core';
import { Consent1797200000000 as ConsentPostgres } from './postgres/1797200000000-Consent';
import { ConsentErasure1797500000000 as ConsentErasurePostgres } from './postgres/1797500000000-ConsentErasure';
import { Consent1797200000000 as ConsentSqlite } from './sqlite/1797200000000-Consent';
import { ConsentErasure1797500000000 as ConsentErasureSqlite } from './sqlite/1797500000000-ConsentErasure';
import { ConsentLookupIndexes1797400000000 as ConsentLookupIndexesSqlite } from './sqlite/1797400000000-ConsentLookupIndexes';
import { ConsentLookupIndexes1797400000000 as ConsentLookupIndexesPostgres } from './postgres/1797400000000-ConsentLookupIndexes';

/**
 * The consent tables, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const CONSENT_MIGRATIONS: DatabaseMigrations = {
  sqlite: [ConsentSqlite, ConsentLookupIndexesSqlite, ConsentErasureSqlite],
  postgres: [ConsentPostgres, ConsentLookupIndexesPostgres, ConsentErasurePostgres],
};
