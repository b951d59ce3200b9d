import type { DatabaseMigrations } from '@custos/core';
import { Privacy1797300000000 as PrivacyPostgres } from './postgres/1797300000000-Privacy';
import { PrivacyRights1797318000000 as PrivacyRightsPostgres } from './postgres/1797318000000-PrivacyRights';
import { Privacy1797300000000 as PrivacySqlite } from './sqlite/1797300000000-Privacy';
import { PrivacyRights1797318000000 as PrivacyRightsSqlite } from './sqlite/1797318000000-PrivacyRights';
import { PrivacyErasure1797500000001 as PrivacyErasurePostgres } from './postgres/1797500000001-PrivacyErasure';
import { PrivacyErasure1797500000001 as PrivacyErasureSqlite } from './sqlite/1797500000001-PrivacyErasure';
import { PrivacyLookupIndexes1797400000000 as PrivacyLookupIndexesSqlite } from './sqlite/1797400000000-PrivacyLookupIndexes';
import { PrivacyLookupIndexes1797400000000 as PrivacyLookupIndexesPostgres } from './postgres/1797400000000-PrivacyLookupIndexes';
import { PrivacyRetention1797600000000 as PrivacyRetentionPostgres } from './postgres/1797600000000-PrivacyRetention';
import { PrivacyRetention1797600000000 as PrivacyRetentionSqlite } from './sqlite/1797600000000-PrivacyRetention';
import { PrivacyRetentionRecords1797700000200 as PrivacyRetentionRecordsPostgres } from './postgres/1797700000200-PrivacyRetentionRecords';
import { PrivacyRetentionRecords1797700000200 as PrivacyRetentionRecordsSqlite } from './sqlite/1797700000200-PrivacyRetentionRecords';
import { PrivacyPackage1797700000000 as PrivacyPackagePostgres } from './postgres/1797700000000-PrivacyPackage';
import { PrivacyPackage1797700000000 as PrivacyPackageSqlite } from './sqlite/1797700000000-PrivacyPackage';
import { PrivacyPackageSubject1797800000000 as PrivacyPackageSubjectPostgres } from './postgres/1797800000000-PrivacyPackageSubject';
import { PrivacyPackageSubject1797800000000 as PrivacyPackageSubjectSqlite } from './sqlite/1797800000000-PrivacyPackageSubject';
import { PrivacySettings1797860000000 as PrivacySettingsPostgres } from './postgres/1797860000000-PrivacySettings';
import { PrivacySettings1797860000000 as PrivacySettingsSqlite } from './sqlite/1797860000000-PrivacySettings';
import { PrivacyRetentionLegalPeriod1797860000100 as PrivacyRetentionLegalPeriodPostgres } from './postgres/1797860000100-PrivacyRetentionLegalPeriod';
import { PrivacyRetentionLegalPeriod1797860000100 as PrivacyRetentionLegalPeriodSqlite } from './sqlite/1797860000100-PrivacyRetentionLegalPeriod';
import { PrivacyLookupKeys1797900000000 as PrivacyLookupKeysPostgres } from './postgres/1797900000000-PrivacyLookupKeys';
import { PrivacyLookupKeys1797900000000 as PrivacyLookupKeysSqlite } from './sqlite/1797900000000-PrivacyLookupKeys';
import { PrivacyErasureUsers1797900000100 as PrivacyErasureUsersPostgres } from './postgres/1797900000100-PrivacyErasureUsers';
import { PrivacyErasureUsers1797900000100 as PrivacyErasureUsersSqlite } from './sqlite/1797900000100-PrivacyErasureUsers';

/**
 * The privacy tables, per database, oldest first: spread them into your DataSource's
 * `migrations` (the schema of a lib is never synchronised in production).
 */
export const PRIVACY_MIGRATIONS: DatabaseMigrations = {
  sqlite: [
    PrivacySqlite,
    PrivacyRightsSqlite,
    PrivacyLookupIndexesSqlite,
    PrivacyErasureSqlite,
    PrivacyRetentionSqlite,
    PrivacyPackageSqlite,
    PrivacyRetentionRecordsSqlite,
    PrivacyPackageSubjectSqlite,
    PrivacySettingsSqlite,
    PrivacyRetentionLegalPeriodSqlite,
    PrivacyLookupKeysSqlite,
    PrivacyErasureUsersSqlite,
  ],
  postgres: [
    PrivacyPostgres,
    PrivacyRightsPostgres,
    PrivacyLookupIndexesPostgres,
    PrivacyErasurePostgres,
    PrivacyRetentionPostgres,
    PrivacyPackagePostgres,
    PrivacyRetentionRecordsPostgres,
    PrivacyPackageSubjectPostgres,
    PrivacySettingsPostgres,
    PrivacyRetentionLegalPeriodPostgres,
    PrivacyLookupKeysPostgres,
    PrivacyErasureUsersPostgres,
  ],
};
