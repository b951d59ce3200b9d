import { Client } from 'pg';

/**
 * Probes PostgreSQL once before all suites (jest's globalSetup cannot use the `@custos/*`
 * aliases, hence no import of the core test helpers). Suites run on PostgreSQL when it answers;
 * under `CI=true` an unreachable PostgreSQL fails the whole run instead of being skipped.
 */
export default async function globalSetup(): Promise<void> {
  const url = (process.env.CUSTOS_TEST_POSTGRES_URL ??=
    'postgres://postgres@127.0.0.1:5432/postgres');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.CUSTOS_TEST_POSTGRES = 'available';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required under CI=true but ${url} is unreachable: ${reason}`);
    }
    process.env.CUSTOS_TEST_POSTGRES = 'unavailable';
    console.warn(
      `\nPostgreSQL at ${url} is unreachable (${reason}): PostgreSQL suites are skipped.\n`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
