import { Queue } from 'bullmq';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Jobs } from '@custos/core';
import { S3FileStore } from '@custos/core/s3';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  isPostgresAvailable,
  isRedisAvailable,
  startTestS3Server,
  type TestDatabase,
  type TestS3Server,
} from '@custos/core/testing';
import { IMPORT_QUEUE } from '../src/crm/imports/import.worker';
import { callerOf, expectStatus } from './access/access-support';
import { startTestServer, type TestServer } from './support/test-server';
import { startWorker, stopWorker } from './support/worker-process';

/**
 * Rows of the CSV: 6 batches of the default 200. The uploading instance may commit one before it
 * stops and the killed one two (the kill follows its first), so the survivor has some left.
 */
const ROWS = 1200;
const BATCH = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ImportRow {
  status: string;
  total_rows: number;
  processed_rows: number;
  rows_created: number;
  rows_failed: number;
  error: string | null;
}

const describeOnPostgresAndRedis =
  isPostgresAvailable() && isRedisAvailable() ? describe : describe.skip;

describeOnPostgresAndRedis('A CSV import on PostgreSQL, Redis (BullMQ) and S3', () => {
  const prefix = `custos-test-${randomBytes(6).toString('hex')}`;
  const children: ChildProcess[] = [];
  const dataDirs: string[] = [];
  let s3: TestS3Server;
  let bucket: S3FileStore;
  let database: TestDatabase;
  let env: Record<string, string>;
  let dataSource: DataSource;
  let redis: Redis;
  /** The instance the CSV is uploaded through. */
  let server: TestServer | undefined;

  beforeAll(async () => {
    s3 = await startTestS3Server();
    bucket = new S3FileStore(s3.options);
    database = await createTestDatabase('postgres');
    env = {
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
    dataSource = new DataSource({ type: 'postgres', url: database.url });
    await dataSource.initialize();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    for (const child of children) {
      await stopWorker(child, 'SIGKILL');
    }
    await server?.close();
    await dataSource?.destroy();
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
  });

  /** A server instance without HTTP in a child process, with a data directory of its own. */
  function instance(): ReturnType<typeof startWorker> {
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-import-kill-'));
    dataDirs.push(dataDir);
    const started = startWorker({ ...env, CUSTOS_DATA_DIR: dataDir });
    children.push(started.child);
    return started;
  }

  async function importRow(id: string): Promise<ImportRow> {
    const [row] = await dataSource.query<ImportRow[]>(
      'SELECT status, total_rows, processed_rows, rows_created, rows_failed, error FROM crm_import WHERE id = $1',
      [id],
    );
    return row;
  }

  /** The import and its job as they are, for a failure message. */
  async function situation(): Promise<string> {
    const imports = new Queue(IMPORT_QUEUE, { connection: redis, prefix });
    try {
      const jobs = await imports.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
      return `imports: ${JSON.stringify(await dataSource.query('SELECT status, processed_rows, error FROM crm_import'))}; jobs: ${JSON.stringify(jobs.map((j) => ({ by: j.processedBy, attempts: j.attemptsStarted, failed: j.failedReason, finished: j.finishedOn })))}; instances: ${children.map((c) => `${c.pid} ${c.exitCode ?? c.signalCode ?? 'up'}`).join(', ')}`;
    } finally {
      await imports.close();
    }
  }

  /** Polls `check` until it gives a value, or fails after `ms`. */
  async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined>) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
      if (Date.now() > deadline) {
        throw new Error(`${what} did not happen within ${ms / 1000} s; ${await situation()}`);
      }
      await sleep(20);
    }
  }

  it('finishes on another instance the import of a SIGKILLed one, every row applied once', async () => {
    // Upload through one instance (its files in S3, none on its own disk), whose job workers
    // then stop; two more start meanwhile (the database is set up by then).
    server = await startTestServer('postgres', { env });
    const instances = [instance(), instance()];
    const admin = callerOf(server, await server.login());
    const csv = `Email,Last name\n${Array.from({ length: ROWS }, (_, i) => `row${i}@kill.test,Row ${i}`).join('\n')}\n`;
    const uploaded = expectStatus(
      await admin
        .upload('/api/v1/imports')
        .field('objectType', 'contacts')
        .field('mode', 'create')
        .field('mapping', JSON.stringify({ Email: 'email', 'Last name': 'lastname' }))
        .attach('file', Buffer.from(csv, 'utf8'), {
          filename: 'contacts.csv',
          contentType: 'text/csv',
        }),
      202,
    ).body as { id: string; totalRows: number };
    expect(uploaded.totalRows).toBe(ROWS);
    // Its job workers stop at once (at most its batch in progress commits); it stays up until
    // the end, closing only later (a close runs other shutdown hooks before the workers stop).
    await server.app.get(Jobs).beforeApplicationShutdown();
    await Promise.all(instances.map((i) => i.ready));

    // The instance running the import (BullMQ names it in `processedBy`), once it has committed
    // a batch of its own: then SIGKILL it.
    const imports = new Queue(IMPORT_QUEUE, { connection: redis, prefix });
    const holder = await waitFor('an instance taking the import', 60_000, async () => {
      const [job] = await imports.getJobs(['active']);
      const pid = Number(job?.processedBy?.split(':').at(-1));
      return instances.find((i) => i.child.pid === pid);
    });
    const taken = (await importRow(uploaded.id)).processed_rows;
    const before = await waitFor('a batch committed by the holder', 60_000, async () => {
      const row = await importRow(uploaded.id);
      return row.processed_rows >= taken + BATCH ? row : undefined;
    });
    await stopWorker(holder.child, 'SIGKILL');
    await imports.close();
    expect(before.status).toBe('running');
    expect(before.processed_rows).toBeLessThan(ROWS);

    const final = await waitFor('the survivor finishing the import', 120_000, async () => {
      const row = await importRow(uploaded.id);
      return ['done', 'failed'].includes(row.status) ? row : undefined;
    });
    // Counted once each: a batch applied twice would have been refused as taken emails.
    expect(final).toMatchObject({
      status: 'done',
      total_rows: ROWS,
      processed_rows: ROWS,
      rows_created: ROWS,
      rows_failed: 0,
      error: null,
    });
    const [contacts] = await dataSource.query<{ total: string; distinct: string }[]>(
      `SELECT COUNT(*) AS total, COUNT(DISTINCT email) AS distinct FROM crm_contact WHERE email LIKE '%@kill.test'`,
    );
    expect(Number(contacts.total)).toBe(ROWS);
    expect(Number(contacts.distinct)).toBe(ROWS);
    const [errors] = await dataSource.query<{ total: string }[]>(
      'SELECT COUNT(*) AS total FROM crm_import_error WHERE import_id = $1',
      [uploaded.id],
    );
    expect(Number(errors.total)).toBe(0);
    // The file went with the import's end.
    const left: string[] = [];
    for await (const file of bucket.list('imports/')) {
      left.push(file.key);
    }
    expect(left).toEqual([]);

    const survivor = instances.find((i) => i !== holder)!;
    await stopWorker(survivor.child, 'SIGTERM');
  }, 240_000);
});
