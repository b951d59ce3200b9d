import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { S3FileStore } from '@custos/core/s3';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  isPostgresAvailable,
  isRedisAvailable,
  startTestS3Server,
} from '@custos/core/testing';
import { startWorker, stopWorker } from './worker-process';

/**
 * What server instances SIGKILLed by a test share: a PostgreSQL database, Redis (BullMQ, under a
 * prefix of its own) and an S3 bucket, with the environment that points an instance at them.
 */
export interface KillCluster {
  /** For `startTestServer(…, { env })` and the child instances. */
  readonly env: Record<string, string>;
  /** The prefix of the cluster's BullMQ queues. */
  readonly prefix: string;
  readonly dataSource: DataSource;
  readonly redis: Redis;
  readonly bucket: S3FileStore;
  /** The child instances started so far. */
  readonly children: ChildProcess[];
  /** A server instance without HTTP in a child process, with a data directory of its own. */
  instance(): ReturnType<typeof startWorker>;
  /** The keys of the bucket under `prefix`. */
  storedKeys(prefix: string): Promise<string[]>;
  /**
   * Polls `check` (every 20 ms) until it gives a value, or fails after `ms` with what `situation`
   * tells and the instances' states.
   */
  waitFor<T>(
    what: string,
    ms: number,
    check: () => Promise<T | undefined>,
    situation?: () => Promise<string>,
  ): Promise<T>;
  /** The instance among `instances` whose job of `queue` is active (BullMQ names it in `processedBy`). */
  holder(
    queue: string,
    instances: ReturnType<typeof startWorker>[],
    ms: number,
  ): Promise<ReturnType<typeof startWorker>>;
  /** Kills the children and removes the database, the queues, the bucket and the directories. */
  close(): Promise<void>;
}

/** Fails (never skips) without PostgreSQL or Redis. */
export async function startKillCluster(): Promise<KillCluster> {
  expect(isPostgresAvailable()).toBe(true);
  expect(isRedisAvailable()).toBe(true);
  const prefix = `custos-test-${randomBytes(6).toString('hex')}`;
  const s3 = await startTestS3Server();
  const bucket = new S3FileStore(s3.options);
  const database = await createTestDatabase('postgres');
  const env = {
    DATABASE_URL: database.url,
    CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
    REDIS_URL: TEST_REDIS_URL,
    CUSTOS_JOB_REDIS_PREFIX: prefix,
    // A killed instance's job is taken over once its 2-second lock has lapsed.
    CUSTOS_JOB_LEASE_SECONDS: '2',
    S3_BUCKET: s3.options.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.options.region,
    S3_ACCESS_KEY_ID: s3.options.credentials!.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.options.credentials!.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'error',
  };
  const dataSource = new DataSource({ type: 'postgres', url: database.url });
  await dataSource.initialize();
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const children: ChildProcess[] = [];
  const dataDirs: string[] = [];
  async function waitFor<T>(
    what: string,
    ms: number,
    check: () => Promise<T | undefined>,
    situation?: () => Promise<string>,
  ): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
      if (Date.now() > deadline) {
        const instances = children.map((c) => `${c.pid} ${c.exitCode ?? c.signalCode ?? 'up'}`);
        throw new Error(
          `${what} did not happen within ${ms / 1000} s; ${(await situation?.()) ?? ''}; instances: ${instances.join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    env,
    prefix,
    dataSource,
    redis,
    bucket,
    children,
    instance() {
      const dataDir = mkdtempSync(join(tmpdir(), 'custos-kill-'));
      dataDirs.push(dataDir);
      const started = startWorker({ ...env, CUSTOS_DATA_DIR: dataDir });
      children.push(started.child);
      return started;
    },
    async storedKeys(keyPrefix) {
      const keys: string[] = [];
      for await (const file of bucket.list(keyPrefix)) {
        keys.push(file.key);
      }
      return keys;
    },
    waitFor,
    async holder(queue, instances, ms) {
      const jobs = new Queue(queue, { connection: redis, prefix });
      try {
        return await waitFor(`an instance taking the ${queue} job`, ms, async () => {
          const [job] = await jobs.getJobs(['active']);
          const pid = Number(job?.processedBy?.split(':').at(-1));
          return instances.find((i) => i.child.pid === pid);
        });
      } finally {
        await jobs.close();
      }
    },
    async close() {
      for (const child of children) {
        await stopWorker(child, 'SIGKILL');
      }
      await dataSource.destroy();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) {
        await redis.del(...keys);
      }
      await redis.quit();
      await database.drop();
      bucket.close();
      await s3.close();
      for (const dir of dataDirs) {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
