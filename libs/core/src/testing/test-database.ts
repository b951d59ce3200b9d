import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Where tests find PostgreSQL; a fresh database is created there per suite and dropped after. */
export const TEST_POSTGRES_URL =
  process.env.CUSTOS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database made for one test suite. `url` is a `DATABASE_URL` the server accepts. */
export interface TestDatabase {
  readonly kind: DatabaseKind;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates an empty database of the given kind: a temporary SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'custos-test-'));
    return {
      kind,
      url: `sqlite:${join(dir, 'custos.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `custos_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    // A test database need not survive a crash of PostgreSQL itself: commits skip the WAL flush
    // (3–4 ms each on this 2-core CI machine). The server's own behaviour is unchanged.
    await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Whether PostgreSQL answered the probe of the jest global setup (`test/global-setup.ts`). */
export function isPostgresAvailable(): boolean {
  return process.env.CUSTOS_TEST_POSTGRES !== 'unavailable';
}

/**
 * The database kinds a suite runs on: SQLite always, PostgreSQL when reachable. Under `CI=true`
 * an unreachable PostgreSQL fails the run in the global setup instead of being skipped.
 */
export function testDatabaseKinds(): DatabaseKind[] {
  return isPostgresAvailable() ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** TypeORM connection options for a test database (entities and migrations are the caller's). */
export function connectionOptionsOf(
  database: TestDatabase,
): { type: 'better-sqlite3'; database: string } | { type: 'postgres'; url: string } {
  return database.kind === 'sqlite'
    ? { type: 'better-sqlite3', database: database.url.slice('sqlite:'.length) }
    : { type: 'postgres', url: database.url };
}
