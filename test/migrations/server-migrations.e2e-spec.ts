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
});
