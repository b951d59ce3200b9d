import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ACCESS_ENTITIES, ACCESS_MIGRATIONS } from '@custos/access';
import { APPROVAL_ENTITIES, APPROVAL_MIGRATIONS } from '@custos/approvals';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  JOB_ENTITIES,
  MAIL_ENTITIES,
  NOTIFICATION_ENTITIES,
  type DatabaseMigrations,
  type MigrationClass,
} from '@custos/core';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type DatabaseKind,
} from '@custos/core/testing';
import { CONSENT_ENTITIES, CONSENT_MIGRATIONS } from '@custos/consent';
import { PRIVACY_ENTITIES, PRIVACY_MIGRATIONS } from '@custos/privacy';
import { CRYPTO_ENTITIES, CRYPTO_MIGRATIONS, KEY_ROTATION_ENTITIES } from '@custos/crypto';
import { EXPORTS_ENTITIES, EXPORTS_MIGRATIONS } from '@custos/exports';
import { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from '@custos/identity';
import { PARTNER_ENTITIES, PARTNER_MIGRATIONS } from '@custos/partners';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { databaseSchema } from './database-schema';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own entity list type
type EntityList = Function[];

async function migrated(
  kind: DatabaseKind,
  options: { migrations: MigrationClass[]; entities?: EntityList },
  inspect: (dataSource: DataSource) => Promise<void>,
): Promise<void> {
  const database = await createTestDatabase(kind);
  const dataSource = new DataSource({
    ...connectionOptionsOf(database),
    entities: options.entities ?? [],
    migrations: options.migrations,
    logging: false,
  });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await inspect(dataSource);
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
}

describe.each(testDatabaseKinds())('migrations from the libs on %s', (kind) => {
  it("give a fresh database exactly the schema, and the migration names, of the server's former list", async () => {
    const database = await createTestDatabase(kind);
    const options = dataSourceOptions(connectionOptionsOf(database));
    await database.drop();
    const before = JSON.parse(
      readFileSync(join(__dirname, `schema-before-lib-migrations.${kind}.json`), 'utf8'),
    ) as { migrations: string[] };
    // The former list: the migrations a database had before the libs had their own (later ones,
    // such as core's jobs and mail outbox, are new tables the snapshot cannot know).
    const former = new Set(before.migrations);
    const migrations = (options.migrations as MigrationClass[]).filter((migration) =>
      former.has(new migration().name ?? migration.name),
    );
    await migrated(kind, { migrations }, async (dataSource) => {
      expect(await databaseSchema(dataSource)).toEqual(before);
    });
  });

  it.each<[string, DatabaseMigrations, EntityList, string]>([
    [
      'core',
      CORE_MIGRATIONS,
      [...JOB_ENTITIES, ...MAIL_ENTITIES, ...NOTIFICATION_ENTITIES],
      'custos_',
    ],
    ['audit', AUDIT_MIGRATIONS, AUDIT_ENTITIES, 'audit_'],
    ['crypto', CRYPTO_MIGRATIONS, [...CRYPTO_ENTITIES, ...KEY_ROTATION_ENTITIES], 'crypto_'],
    ['access', ACCESS_MIGRATIONS, ACCESS_ENTITIES, 'access_'],
    ['identity', IDENTITY_MIGRATIONS, IDENTITY_ENTITIES, 'identity_'],
    ['approvals', APPROVAL_MIGRATIONS, APPROVAL_ENTITIES, 'custos_approval_'],
    ['exports', EXPORTS_MIGRATIONS, EXPORTS_ENTITIES, 'custos_export'],
    ['consent', CONSENT_MIGRATIONS, CONSENT_ENTITIES, 'consent_'],
    ['partners', PARTNER_MIGRATIONS, PARTNER_ENTITIES, 'partner_'],
    ['privacy', PRIVACY_MIGRATIONS, PRIVACY_ENTITIES, 'privacy_'],
  ])(
    "of %s alone create the lib's tables and nothing else, as its entities describe them",
    async (_lib, libMigrations, entities, tablePrefix) => {
      await migrated(kind, { migrations: libMigrations[kind], entities }, async (dataSource) => {
        const pending = await dataSource.driver.createSchemaBuilder().log();
        expect(pending.upQueries.map((query) => query.query)).toEqual([]);
        const { objects } = await databaseSchema(dataSource);
        const names = [
          ...new Set(objects.map((object) => String(object.tbl_name ?? object.table_name))),
        ];
        const others = names.filter(
          (name) =>
            !name.startsWith(tablePrefix) &&
            !['migrations', 'typeorm_metadata', 'sqlite_sequence'].includes(name),
        );
        expect({ created: names.length > 0, others }).toEqual({ created: true, others: [] });
      });
    },
  );
});
