import type { DataSource } from 'typeorm';

/** Everything a migration decides about a database, in a stable order, comparable across runs. */
export interface DatabaseSchema {
  readonly migrations: string[];
  readonly objects: Record<string, unknown>[];
}

/**
 * The schema of a migrated database: SQLite's `sqlite_master` (the SQL of each table and index),
 * or PostgreSQL's columns, constraints and indexes; plus the migration names recorded, which an
 * existing database compares with the code's list.
 */
export async function databaseSchema(dataSource: DataSource): Promise<DatabaseSchema> {
  const recorded: { name: string }[] = await dataSource.query(
    `SELECT name FROM migrations ORDER BY timestamp, name`,
  );
  const migrations = recorded.map((row) => row.name);
  if (dataSource.options.type === 'better-sqlite3') {
    const objects: Record<string, unknown>[] = await dataSource.query(
      `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`,
    );
    return { migrations, objects };
  }
  const columns: Record<string, unknown>[] = await dataSource.query(
    `SELECT 'column' AS type, table_name, column_name, ordinal_position, data_type, character_maximum_length, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const constraints: Record<string, unknown>[] = await dataSource.query(
    `SELECT 'constraint' AS type, rel.relname AS table_name, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
       FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace
      WHERE ns.nspname = 'public' ORDER BY rel.relname, con.conname`,
  );
  const indexes: Record<string, unknown>[] = await dataSource.query(
    `SELECT 'index' AS type, tablename AS table_name, indexname AS name, indexdef AS definition
       FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`,
  );
  return { migrations, objects: [...columns, ...constraints, ...indexes] };
}
