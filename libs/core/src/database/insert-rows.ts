import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

type ColumnOf = EntityMetadata['columns'][number];

/** SQLite's classic bound-parameter limit (999), with room to spare. */
const SQLITE_PARAMETERS = 990;

/** Rows as a row source (alias `v`) of a `FROM` clause, with how a statement reads column `c`. */
interface BoundRows {
  sources: { sql: string; parameters: unknown[] }[];
  column: (c: number) => string;
}

/**
 * The values of `columns` of each row, prepared as TypeORM prepares them (transformers,
 * simple-json, booleans), as row sources. PostgreSQL: one typed array per column, unnested — one
 * statement with as many parameters as columns, whatever the number of rows (parsing and planning
 * a multi-row `VALUES` of thousands of placeholders costs several times the writing: 2,000
 * outbox rows ≈ 4× slower, narrow rows ≈ 7×). SQLite, in process, parses placeholders cheaply:
 * `VALUES` lists under its parameter limit (its JSON functions re-read a row per column).
 */
function bind(
  manager: EntityManager,
  metadata: EntityMetadata,
  columns: readonly ColumnOf[],
  rows: readonly ObjectLiteral[],
): BoundRows {
  const driver = manager.connection.driver;
  const unsupported = columns.find(
    (column) =>
      column.isArray ||
      column.type === 'enum' ||
      column.embeddedMetadata ||
      column.relationMetadata,
  );
  if (unsupported) {
    throw new Error(
      `Bulk rows cannot carry column ${metadata.tableName}.${unsupported.databaseName} (array, enum, embedded or relation).`,
    );
  }
  // The driver applies the column's transformer; the property is read as is.
  const values = rows.map((row) =>
    columns.map((column): unknown => {
      const value: unknown = driver.preparePersistentValue(row[column.propertyName], column);
      return value;
    }),
  );
  if (manager.connection.options.type === 'postgres') {
    const typed = columns.map((column, c) => `$${c + 1}::${driver.normalizeType(column)}[]`);
    return {
      sources: [
        {
          sql: `unnest(${typed.join(', ')}) AS v(${columns.map((_, c) => `c${c}`).join(', ')})`,
          parameters: columns.map((_, c) => values.map((row) => row[c])),
        },
      ],
      column: (c) => `v.c${c}`,
    };
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const perStatement = Math.max(1, Math.floor(SQLITE_PARAMETERS / columns.length));
  const sources: BoundRows['sources'] = [];
  for (let start = 0; start < values.length; start += perStatement) {
    const part = values.slice(start, start + perStatement);
    sources.push({
      sql: `(VALUES ${part.map(() => tuple).join(', ')}) AS v`,
      parameters: part.flat(),
    });
  }
  return { sources, column: (c) => `v.column${c + 1}` };
}

/**
 * Inserts many rows of an entity with statements built from its metadata (see {@link bind}),
 * without the per-value work of the insert query builder and without reading anything back: for
 * bulk writes whose rows have every column set (no generated ids or database defaults to return).
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
  const columns = metadata.columns;
  const bound = bind(manager, metadata, columns, rows);
  const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const picks = columns.map((_, c) => bound.column(c)).join(', ');
  for (const source of bound.sources) {
    await manager.query(
      `INSERT INTO ${driver.escape(metadata.tableName)} (${names}) SELECT ${picks} FROM ${source.sql}`,
      source.parameters,
    );
  }
}

/**
 * Updates many rows of an entity, each found by its primary key, with statements built as
 * {@link insertRows} builds them: the properties `set` take each row's own values.
 */
export async function updateRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: readonly T[],
  set: readonly (keyof T & string)[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const keys = metadata.primaryColumns;
  const changed = set.map((name) => {
    const column = metadata.findColumnWithPropertyName(name);
    if (!column) {
      throw new Error(`${metadata.tableName} has no column for property ${name}.`);
    }
    return column;
  });
  const bound = bind(manager, metadata, [...keys, ...changed], rows);
  const table = driver.escape(metadata.tableName);
  const assignments = changed.map(
    (column, i) => `${driver.escape(column.databaseName)} = ${bound.column(keys.length + i)}`,
  );
  const match = keys.map(
    (column, c) => `${table}.${driver.escape(column.databaseName)} = ${bound.column(c)}`,
  );
  for (const source of bound.sources) {
    await manager.query(
      `UPDATE ${table} SET ${assignments.join(', ')} FROM ${source.sql} WHERE ${match.join(' AND ')}`,
      source.parameters,
    );
  }
}
