import type { DatabaseMigrations } from '@custos/core';
import { Exports1797000000000 as ExportsSqlite } from './sqlite/1797000000000-Exports';
import { Exports1797000000000 as ExportsPostgres } from './postgres/1797000000000-Exports';
import { ExportKeyVersion1797100000000 as ExportKeyVersionSqlite } from './sqlite/1797100000000-ExportKeyVersion';
import { ExportKeyVersion1797100000000 as ExportKeyVersionPostgres } from './postgres/1797100000000-ExportKeyVersion';
import { ExportLookupIndexes1797400000000 as ExportLookupIndexesSqlite } from './sqlite/1797400000000-ExportLookupIndexes';
import { ExportLookupIndexes1797400000000 as ExportLookupIndexesPostgres } from './postgres/1797400000000-ExportLookupIndexes';
import { ExportRecords1797700000100 as ExportRecordsSqlite } from './sqlite/1797700000100-ExportRecords';
import { ExportRecords1797700000100 as ExportRecordsPostgres } from './postgres/1797700000100-ExportRecords';
import { ExportRecordKey1798000000000 as ExportRecordKeySqlite } from './sqlite/1798000000000-ExportRecordKey';
import { ExportRecordKey1798000000000 as ExportRecordKeyPostgres } from './postgres/1798000000000-ExportRecordKey';
import { ExportRecordByExport1798100000000 } from './1798100000000-ExportRecordByExport';

/**
 * The tables of exports and export settings, per database, oldest first: spread them into your
 * DataSource's `migrations` (the schema of a lib is never synchronised in production).
 */
export const EXPORTS_MIGRATIONS: DatabaseMigrations = {
  sqlite: [
    ExportsSqlite,
    ExportKeyVersionSqlite,
    ExportLookupIndexesSqlite,
    ExportRecordsSqlite,
    ExportRecordKeySqlite,
    ExportRecordByExport1798100000000,
  ],
  postgres: [
    ExportsPostgres,
    ExportKeyVersionPostgres,
    ExportLookupIndexesPostgres,
    ExportRecordsPostgres,
    ExportRecordKeyPostgres,
    ExportRecordByExport1798100000000,
  ],
};
