import { Queue } from 'bullmq';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { KeyRotationJob } from '@custos/crypto';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  isPostgresAvailable,
  isRedisAvailable,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { Setup } from './access/access-support';
import { callerOf, expectStatus, UNKNOWN_ID, type Caller } from './crm/crm-support';
import { expectProblem, newAccount, walkPages } from './support/api';
import {
  seedSensitiveRecords,
  storedValues,
  waitForRotation,
} from './support/key-rotation-support';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';
import { startWorker, stopWorker } from './support/worker-process';

interface JobView {
  id: string;
  name: string;
  key: string | null;
  accountId: string | null;
  state: string;
  progress: number | null;
  attempts: number;
  errorCode: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function allJobs(caller: Caller): Promise<JobView[]> {
  const { pages } = await walkPages<JobView>((after) =>
    caller.get('/api/v1/jobs', { limit: 2, ...(after ? { after } : {}) }),
  );
  return pages.flat();
}

describe.each(testDatabaseKinds())('Background jobs API on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let admin: Caller;
  let other: Caller;
  /** The id of the account's key rotation, completed: every case (in any order) has its job. */
  let rotationId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    const second = await newAccount(server, adminToken, 'Second', {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    other = callerOf(server, second.token);
    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    expectStatus(await other.post('/api/v1/settings/encryption/rotate'), 202);
    rotationId = (await waitForRotation(admin)).rotation!.id;
    await waitForRotation(other);
  });

  afterAll(async () => server?.close());

  it("lists the account's jobs and the deployment's schedules, never another account's", async () => {
    const mine = await allJobs(admin);
    const rotations = mine.filter((j) => j.name === 'crypto.key_rotation');
    expect(rotations).toHaveLength(1);
    expect(rotations[0]).toMatchObject({
      // Its idempotency key: the rotation it works on.
      key: rotationId,
      accountId: server.accountId,
      state: 'completed',
      attempts: 1,
      errorCode: null,
    });
    expect(Object.keys(rotations[0])).not.toContain('data');
    // The schedules' runs (due at the end of their period) are the deployment's.
    expect(mine.filter((j) => j.accountId === null).map((j) => j.name)).toEqual(
      expect.arrayContaining(['crm.archive_purge', 'crm.attachment_sweep']),
    );
    expect(mine.every((j) => j.accountId === null || j.accountId === server.accountId)).toBe(true);

    const theirs = (await allJobs(other)).filter((j) => j.name === 'crypto.key_rotation');
    expect(theirs).toHaveLength(1);
    expect(theirs[0].id).not.toBe(rotations[0].id);
    // Another account's job does not exist for this one.
    expectProblem(await admin.post(`/api/v1/jobs/${theirs[0].id}/retry`), 404, {
      code: 'core.job_not_found',
    });
    expectProblem(await admin.post(`/api/v1/jobs/${theirs[0].id}/cancel`), 404);
  });

  it('retries only dead or cancelled jobs, cancels only unfinished ones, leaves schedules alone', async () => {
    const [rotation] = (await allJobs(admin)).filter((j) => j.name === 'crypto.key_rotation');
    expectProblem(await admin.post(`/api/v1/jobs/${rotation.id}/retry`), 409, {
      code: 'core.job_not_retryable',
    });
    expectProblem(await admin.post(`/api/v1/jobs/${rotation.id}/cancel`), 409, {
      code: 'core.job_not_cancellable',
    });
    const schedule = (await allJobs(admin)).find((j) => j.accountId === null)!;
    expectProblem(await admin.post(`/api/v1/jobs/${schedule.id}/cancel`), 403, {
      code: 'operations.deployment_job',
    });
    expectProblem(await admin.post(`/api/v1/jobs/${UNKNOWN_ID}/retry`), 404);
    expectProblem(await admin.post('/api/v1/jobs/%24bad/cancel'), 422, {
      code: 'operations.invalid_job_id',
    });
  });

  it('is for super admins only', async () => {
    const rep = await new Setup(server, adminToken).userWithRole({ privileges: [] });
    expectProblem(await rep.caller.get('/api/v1/jobs'), 403);
    expectProblem(await rep.caller.post(`/api/v1/jobs/${UNKNOWN_ID}/cancel`), 403);
  });
});

const describeOnPostgresAndRedis =
  isPostgresAvailable() && isRedisAvailable() ? describe : describe.skip;

describeOnPostgresAndRedis('Two instances on PostgreSQL and Redis (BullMQ)', () => {
  const prefix = `custos-test-${randomBytes(6).toString('hex')}`;
  const children: ChildProcess[] = [];
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let dataSource: DataSource;
  let redis: Redis;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    dataDir = mkdtempSync(join(tmpdir(), 'custos-jobs-'));
    env = {
      DATABASE_URL: database.url,
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
      REDIS_URL: TEST_REDIS_URL,
      CUSTOS_JOB_REDIS_PREFIX: prefix,
      CUSTOS_JOB_LEASE_SECONDS: '2',
      CUSTOS_ROTATION_BATCH_SIZE: '1',
      CUSTOS_AUDIT_CHECKPOINT_SECONDS: '1',
      LOG_LEVEL: 'error',
    };
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [KeyRotationJob],
    });
    await dataSource.initialize();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    for (const child of children) {
      await stopWorker(child, 'SIGKILL');
    }
    await dataSource?.destroy();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function rotation(accountId: string): Promise<KeyRotationJob> {
    return dataSource.getRepository(KeyRotationJob).findOneByOrFail({ accountId });
  }

  it('finishes on the survivor the rotation of a SIGKILLed instance, each value once; schedules run once per period', async () => {
    // Seed through the API and start the rotation; this instance stops, its job waits in Redis.
    const server = await startTestServer('postgres', { env });
    const accountId = server.accountId;
    const admin = callerOf(server, await server.login());
    const { property } = await seedSensitiveRecords(admin, 200);
    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    await server.close();
    const total = (await storedValues(dataSource, accountId, property)).length;

    const instances = [startWorker(env), startWorker(env)];
    children.push(...instances.map((i) => i.child));
    await Promise.all(instances.map((i) => i.ready));

    // SIGKILL the instance that runs the rotation (BullMQ names it in `processedBy`).
    const rotations = new Queue('crypto.key_rotation', { connection: redis, prefix });
    let [job] = await rotations.getJobs(['active']);
    const started = Date.now() + 60_000;
    while ((!job || (await rotation(accountId)).processed === 0) && Date.now() < started) {
      await sleep(20);
      [job] = await rotations.getJobs(['active']);
    }
    await rotations.close();
    expect(job?.processedBy).toBeDefined();
    const pid = Number(job.processedBy!.split(':').at(-1));
    const holder = instances.find((i) => i.child.pid === pid)!;
    expect(holder).toBeDefined();
    const before = await rotation(accountId);
    expect(before.status).not.toBe('completed');
    await stopWorker(holder.child, 'SIGKILL');
    const end = Date.now() + 120_000;
    while ((await rotation(accountId)).status !== 'completed' && Date.now() < end) {
      await sleep(100);
    }
    const final = await rotation(accountId);
    expect(final).toMatchObject({ status: 'completed', unreadable: 0, error: null });
    // Every value re-encrypted exactly once across both instances.
    expect(final.processed).toBe(total);
    expect(final.processed).toBeGreaterThan(before.processed);
    // With the survivor and a new instance up, the 1-second checkpoint schedule runs once per
    // period, not twice.
    const replacement = startWorker(env);
    children.push(replacement.child);
    await replacement.ready;
    const checkpoints = new Queue('audit.checkpoint', { connection: redis, prefix });
    const slots = async () =>
      (await checkpoints.getJobs(['completed', 'active', 'failed'], 0, 10_000)).map((j) =>
        Number(j.id!.split(':').at(-1)),
      );
    const windowStart = Date.now();
    await sleep(3000);
    const windowEnd = Date.now();
    const inWindow = (await slots()).filter((s) => s >= windowStart && s <= windowEnd);
    expect(inWindow.length).toBeGreaterThanOrEqual(2);
    expect(inWindow.length).toBeLessThanOrEqual(Math.ceil((windowEnd - windowStart) / 1000) + 1);
    const all = await slots();
    expect(new Set(all).size).toBe(all.length);
    await checkpoints.close();

    for (const instance of [...instances, replacement]) {
      await stopWorker(instance.child, 'SIGTERM');
    }
  }, 300_000);
});
