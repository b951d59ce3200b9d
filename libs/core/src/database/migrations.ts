import type { MigrationInterface } from 'typeorm';

/** A TypeORM migration class. */
export type MigrationClass = new () => MigrationInterface;

/**
 * The migrations of a lib (or an app) for each database Custos supports, oldest first: a lib's
 * tables are created by spreading them into the DataSource's `migrations`.
 */
export interface DatabaseMigrations {
  readonly sqlite: MigrationClass[];
  readonly postgres: MigrationClass[];
}
