import type { DatabaseMigrations } from '@custos/core';
import { AuditLog1795373768333 as AuditLogSqlite } from './sqlite/1795373768333-AuditLog';
import { AuditLog1795373768333 as AuditLogPostgres } from './postgres/1795373768333-AuditLog';
import { AuditLookupIndexes1797400000000 as AuditLookupIndexesSqlite } from './sqlite/1797400000000-AuditLookupIndexes';
import { AuditLookupIndexes1797400000000 as AuditLookupIndexesPostgres } from './postgres/1797400000000-AuditLookupIndexes';
import { AuditActorLabelDigest1797900000000 as AuditActorLabelDigestSqlite } from './sqlite/1797900000000-AuditActorLabelDigest';
import { AuditActorLabelDigest1797900000000 as AuditActorLabelDigestPostgres } from './postgres/1797900000000-AuditActorLabelDigest';

/**
 * The audit log's tables, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const AUDIT_MIGRATIONS: DatabaseMigrations = {
  sqlite: [AuditLogSqlite, AuditLookupIndexesSqlite, AuditActorLabelDigestSqlite],
  postgres: [AuditLogPostgres, AuditLookupIndexesPostgres, AuditActorLabelDigestPostgres],
};
