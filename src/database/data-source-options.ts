import type { DataSourceOptions } from 'typeorm';
import { ACCESS_ENTITIES } from '@custos/access';
import { APPROVAL_ENTITIES } from '@custos/approvals';
import { CONSENT_ENTITIES } from '@custos/consent';
import { PRIVACY_ENTITIES } from '@custos/privacy';
import { EXPORTS_ENTITIES } from '@custos/exports';
import { AUDIT_ENTITIES } from '@custos/audit';
import { JOB_ENTITIES, MAIL_ENTITIES, NOTIFICATION_ENTITIES } from '@custos/core';
import { CRYPTO_ENTITIES, KEY_ROTATION_ENTITIES } from '@custos/crypto';
import { IDENTITY_ENTITIES } from '@custos/identity';
import { PARTNER_ENTITIES } from '@custos/partners';
import type { DatabaseConfig } from '../config';
import { CRM_ENTITIES } from '../crm/crm.module';
import { SENSITIVE_DATA_ENTITIES } from '../sensitive-data/sensitive-data.module';
import { serverMigrations } from '../migrations';

/** Every entity of the reference server. */
export const SERVER_ENTITIES = [
  ...NOTIFICATION_ENTITIES,
  ...JOB_ENTITIES,
  ...AUDIT_ENTITIES,
  ...CRYPTO_ENTITIES,
  ...KEY_ROTATION_ENTITIES,
  ...ACCESS_ENTITIES,
  ...IDENTITY_ENTITIES,
  ...APPROVAL_ENTITIES,
  ...EXPORTS_ENTITIES,
  ...CONSENT_ENTITIES,
  ...PARTNER_ENTITIES,
  ...PRIVACY_ENTITIES,
  ...CRM_ENTITIES,
  ...SENSITIVE_DATA_ENTITIES,
  ...MAIL_ENTITIES,
];

/**
 * TypeORM options of the server: the schema comes only from migrations (one set per database
 * type), run at start; `synchronize` stays off.
 */
export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = { entities: SERVER_ENTITIES, synchronize: false, migrationsRun: true } as const;
  if (database.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      migrations: serverMigrations('postgres'),
      extra: { max: 20 },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.database,
    migrations: serverMigrations('sqlite'),
    // WAL lets readers proceed during a write; the busy timeout covers a second process (seed, CLI).
    // Secure delete zeroes what a delete or update frees, so erased data leaves the file's pages.
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('secure_delete = ON');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  };
}
