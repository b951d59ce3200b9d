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

  if (kind === 'sqlite') {
    it('give custom properties already indexed their owner-scoped index (SQLite)', async () => {
      const database = await createTestDatabase(kind);
      const options = dataSourceOptions(connectionOptionsOf(database));
      const all = options.migrations as MigrationClass[];
      const at = all.findIndex((m) => m.name === 'CustomPropertyScopeIndexes1796480000000');
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
        const now = new Date().toISOString();
        await before.query(
          `INSERT INTO crm_property (id, account_id, object_type, name, label, group_name, type, options, score_rules, created_at, updated_at, indexed, index_state) VALUES ('p1', 'a1', 'contacts', 'tier', 'Tier', 'g', 'string', '[]', '[]', ?, ?, 1, 'ready')`,
          [now, now],
        );
        await before.destroy();
        const after = await open(all);
        const indexes = await after.query<{ sql: string }[]>(
          `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'crm_contact_cx_tier_owner'`,
        );
        await after.destroy();
        expect(indexes.map((index) => index.sql)).toEqual([
          `CREATE INDEX "crm_contact_cx_tier_owner" ON "crm_contact" ("account_id", json_extract(custom, '$.tier'), "owner_id", "country", "lifecyclestage", "id", "archived_at") WHERE "archived_at" IS NULL`,
        ]);
      } finally {
        await database.drop();
      }
    });
  }
});
