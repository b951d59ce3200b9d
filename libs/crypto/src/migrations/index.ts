import type { DatabaseMigrations } from '@custos/core';
import { CryptoDataKeys1795383997230 as CryptoDataKeysSqlite } from './sqlite/1795383997230-CryptoDataKeys';
import { CryptoRotation1795385014473 as CryptoRotationSqlite } from './sqlite/1795385014473-CryptoRotation';
import { CryptoSubjectKeys1796520000000 as CryptoSubjectKeysSqlite } from './sqlite/1796520000000-CryptoSubjectKeys';
import { CryptoDataKeys1795383997230 as CryptoDataKeysPostgres } from './postgres/1795383997230-CryptoDataKeys';
import { CryptoRotation1795385014473 as CryptoRotationPostgres } from './postgres/1795385014473-CryptoRotation';
import { CryptoSubjectKeys1796520000000 as CryptoSubjectKeysPostgres } from './postgres/1796520000000-CryptoSubjectKeys';

/**
 * The tables of the key ring, of data subjects' keys and of key rotation, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const CRYPTO_MIGRATIONS: DatabaseMigrations = {
  sqlite: [CryptoDataKeysSqlite, CryptoRotationSqlite, CryptoSubjectKeysSqlite],
  postgres: [CryptoDataKeysPostgres, CryptoRotationPostgres, CryptoSubjectKeysPostgres],
};
