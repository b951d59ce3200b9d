import { accessSync, constants, mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/**
 * Probes PostgreSQL and Redis once before all suites (jest's globalSetup cannot use the
 * `@custos/*` aliases, hence no import of the core test helpers). Suites run on them when they
 * answer; under `CI=true` an unreachable one fails the whole run instead of being skipped.
 */
export default async function globalSetup(): Promise<void> {
  useMemoryBackedTmpdir();
  const postgresUrl = (process.env.CUSTOS_TEST_POSTGRES_URL ??=
    'postgres://postgres@127.0.0.1:5432/postgres');
  process.env.CUSTOS_TEST_POSTGRES = await probe('PostgreSQL', postgresUrl, async () => {
    const client = new Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  });
  const redisUrl = (process.env.CUSTOS_TEST_REDIS_URL ??= 'redis://127.0.0.1:6379');
  process.env.CUSTOS_TEST_REDIS = await probe('Redis', redisUrl, async () => {
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      connectTimeout: 3000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined); // reported by connect() below
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  });
}

/** `available`, or `unavailable` with a printed reason (a thrown error under `CI=true`). */
async function probe(
  service: string,
  url: string,
  check: () => Promise<void>,
): Promise<'available' | 'unavailable'> {
  try {
    await check();
    return 'available';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`${service} is required under CI=true but ${url} is unreachable: ${reason}`);
    }
    console.warn(
      `\n${service} at ${url} is unreachable (${reason}): ${service} suites are skipped.\n`,
    );
    return 'unavailable';
  }
}

/**
 * Temporary SQLite databases, file stores and data folders go to memory (`/dev/shm`) when the
 * machine has it: each SQLite commit in WAL mode syncs to disk, which dominates commit-heavy
 * suites on CI. An explicit `TMPDIR` is kept; `os.tmpdir()` reads it at each call, and jest's
 * workers inherit it.
 */
function useMemoryBackedTmpdir(): void {
  if (process.env.TMPDIR) {
    return;
  }
  try {
    accessSync('/dev/shm', constants.W_OK);
  } catch {
    return;
  }
  const dir = `/dev/shm/custos-tests-${process.getuid?.() ?? 'user'}`;
  mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
}
