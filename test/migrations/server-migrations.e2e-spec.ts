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

  const countedPostgres = kind === 'postgres' ? it : it.skip;

  countedPostgres(
    'count a number property counted before as its text as the filter reads it, and back',
    async () => {
      const database = await createTestDatabase(kind);
      const options = dataSourceOptions(connectionOptionsOf(database));
      const all = options.migrations as MigrationClass[];
      const at = all.findIndex((m) => m.name === 'CustomValueCounts1798200000000');
      const dataSource = new DataSource({
        ...options,
        migrations: all.slice(0, at),
        migrationsRun: false,
        synchronize: false,
        logging: false,
      });
      const account = '0193a6c4-7f1e-7c3a-9d1e-0000000000a1';
      const counts = () =>
        dataSource.query<{ value: string; live: string }[]>(
          `SELECT value, live FROM crm_contact_custom_count WHERE property_name = 'rank' ORDER BY value`,
        );
      try {
        await dataSource.initialize();
        await dataSource.runMigrations({ transaction: 'each' });
        const now = `'${new Date().toISOString()}'`;
        await dataSource.query(
          `INSERT INTO crm_property (id, account_id, object_type, name, label, group_name, type, options, score_rules, created_at, updated_at, indexed, index_state) VALUES ('0193a6c4-7f1e-7c3a-9d1e-000000000001', '${account}', 'contacts', 'rank', 'Rank', 'g', 'number', '[]', '[]', ${now}, ${now}, true, 'ready')`,
        );
        for (const [n, rank] of ['5', '5.0', '"5"', '7'].entries()) {
          await dataSource.query(
            `INSERT INTO crm_contact (id, account_id, custom, created_at, updated_at) VALUES ('0193a6c4-7f1e-7c3a-9d1e-00000000010${n}', '${account}', '{"rank": ${rank}}', ${now}, ${now})`,
          );
        }
        dataSource.setOptions({ migrations: all });
        await dataSource.destroy();
        await dataSource.initialize();
        await dataSource.runMigrations({ transaction: 'each' });
        const five = '4014000000000000';
        expect(await counts()).toEqual([
          { value: five, live: '3' },
          { value: '401c000000000000', live: '1' },
        ]);
        // Back to before `CustomValueCountTypes` (and the migrations after it).
        const types = all.findIndex((m) => m.name === 'CustomValueCountTypes1798300000000');
        for (let undone = all.length; undone > types; undone -= 1) {
          await dataSource.undoLastMigration({ transaction: 'each' });
        }
        expect(await counts()).toEqual([
          { value: '5', live: '2' },
          { value: '5.0', live: '1' },
          { value: '7', live: '1' },
        ]);
      } finally {
        if (dataSource.isInitialized) {
          await dataSource.destroy();
        }
        await database.drop();
      }
    },
  );
});
