import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { MigrationClass } from '@custos/core';
import { connectionOptionsOf, createTestDatabase, testDatabaseKinds } from '@custos/core/testing';
import { dataSourceOptions } from '../../src/database/data-source-options';

/**
 * The entities describe the schema (indexes included: partial ones, their columns and
 * predicates) and the migrations make it: after every migration TypeORM's schema builder, which
 * `npm run migration:generate` runs, finds nothing left to change.
 */
describe.each(testDatabaseKinds())('the server migrations on %s', (kind) => {
  it('leave nothing for the entities to change', async () => {
    const database = await createTestDatabase(kind);
    const options = dataSourceOptions(connectionOptionsOf(database));
    const dataSource = new DataSource({
      ...options,
      migrations: options.migrations as MigrationClass[],
      migrationsRun: false,
      synchronize: false,
      logging: false,
    });
    try {
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      if (dataSource.isInitialized) {
        await dataSource.destroy();
      }
      await database.drop();
    }
  });

  /** Per database: the migration that adds the owner-scoped index, and the index it makes. */
  const ownerIndexMigration = {
    sqlite: {
      migration: 'CustomPropertyScopeIndexes1796480000000',
      property: [`'p1'`, `'a1'`, '1'],
      index: `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'crm_contact_cx_tier_owner'`,
      expected: `CREATE INDEX "crm_contact_cx_tier_owner" ON "crm_contact" ("account_id", json_extract(custom, '$.tier'), "owner_id", "country", "lifecyclestage", "id", "archived_at") WHERE "archived_at" IS NULL`,
    },
    postgres: {
      migration: 'CustomPropertyOwnerIndexes1798000000001',
      property: [
        `'0193a6c4-7f1e-7c3a-9d1e-000000000001'`,
        `'0193a6c4-7f1e-7c3a-9d1e-0000000000a1'`,
        'true',
      ],
      index: `SELECT pg_get_indexdef(c.oid) AS sql FROM pg_class c WHERE c.relname = 'crm_cx_0193a6c47f1e7c3a9d1e000000000001_owner'`,
      expected: `CREATE INDEX crm_cx_0193a6c47f1e7c3a9d1e000000000001_owner ON public.crm_contact USING btree ((((custom)::jsonb ->> 'tier'::text)), owner_id, country, lifecyclestage, id) WHERE (((account_id)::text = '0193a6c4-7f1e-7c3a-9d1e-0000000000a1'::text) AND (archived_at IS NULL))`,
    },
  }[kind];

  it('give custom properties already indexed their owner-scoped index', async () => {
    const database = await createTestDatabase(kind);
    const options = dataSourceOptions(connectionOptionsOf(database));
    const all = options.migrations as MigrationClass[];
    const at = all.findIndex((m) => m.name === ownerIndexMigration.migration);
    const open = async (migrations: MigrationClass[]) => {
      const dataSource = new DataSource({
        ...options,
        migrations,
        migrationsRun: false,
        synchronize: false,
        logging: false,
      });
      await dataSource.initialize();
      await dataSource.runMigrations({ transaction: 'each' });
      return dataSource;
    };
    try {
      const before = await open(all.slice(0, at));
      const now = `'${new Date().toISOString()}'`;
      const [id, account, indexed] = ownerIndexMigration.property;
      await before.query(
        `INSERT INTO crm_property (id, account_id, object_type, name, label, group_name, type, options, score_rules, created_at, updated_at, indexed, index_state) VALUES (${id}, ${account}, 'contacts', 'tier', 'Tier', 'g', 'string', '[]', '[]', ${now}, ${now}, ${indexed}, 'ready')`,
      );
      await before.destroy();
      const after = await open(all);
      const indexes = await after.query<{ sql: string }[]>(ownerIndexMigration.index);
      await after.destroy();
      expect(indexes.map((index) => index.sql)).toEqual([ownerIndexMigration.expected]);
    } finally {
      await database.drop();
    }
  });
});
