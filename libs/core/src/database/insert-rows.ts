import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Bound parameters per statement: under SQLite's classic 999 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = { sqlite: 990, postgres: 30_000 } as const;

/**
 * Inserts many rows of an entity with multi-row INSERTs built from its metadata — each value
 * prepared as TypeORM prepares it (column transformers, simple-json, booleans) — without the
 * per-value work of the insert query builder and without reading anything back: for bulk writes
 * whose rows have every column set (no generated ids or database defaults to return).
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly T[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const postgres = manager.connection.options.type === 'postgres';
  const columns = metadata.columns;
  const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const perStatement = Math.max(
    1,
    Math.floor(MAX_PARAMETERS[postgres ? 'postgres' : 'sqlite'] / columns.length),
  );
  for (let start = 0; start < rows.length; start += perStatement) {
    const values: unknown[] = [];
    const tuples = rows.slice(start, start + perStatement).map((row) => {
      const placeholders = columns.map((column) => {
        values.push(driver.preparePersistentValue(column.getEntityValue(row, true), column));
        return postgres ? `$${values.length}` : '?';
      });
      return `(${placeholders.join(', ')})`;
    });
    await manager.query(
      `INSERT INTO ${driver.escape(metadata.tableName)} (${names}) VALUES ${tuples.join(', ')}`,
      values,
    );
  }
}
