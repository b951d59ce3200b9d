import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CoreModule, deriveKey } from '@custos/core';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '@custos/core/testing';
import {
  AccountCiphers,
  CryptoModule,
  KeyRotationJob,
  LocalKeyProvider,
  keyVersionOf,
} from '@custos/crypto';
import { loadServerConfig } from '../src/config/server-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { callerOf, expectStatus } from './crm/crm-support';
import { openAll, seedSensitiveRecords, storedValues } from './support/key-rotation-support';
import { startTestServer } from './support/test-server';
import { startWorker, stopWorker as stop } from './support/worker-process';

// Enough batches (180: three values a record, 20 a batch) that most of six kills, each after 1–6
// batches plus what commits before the signal lands, fall before the end.
const RECORDS = 1200;
const KILLS = 6;
const MIN_KILLS_MIDWAY = 3;
const BATCH_SIZE = '20';

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

describe.each(testDatabaseKinds())('Data-key rotation killed at random moments on %s', (kind) => {
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let accountId: string;
  let property: string;
  let checker: { dataSource: DataSource; ciphers: AccountCiphers; close(): Promise<void> };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataDir = mkdtempSync(join(tmpdir(), 'custos-rotation-'));
    env = {
      DATABASE_URL: database.url,
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
      CUSTOS_ROTATION_BATCH_SIZE: BATCH_SIZE,
      // A killed worker's job is taken over by the next process once its lease expires.
      CUSTOS_JOB_LEASE_SECONDS: '1',
      CUSTOS_JOB_POLL_MS: '100',
      LOG_LEVEL: 'error',
    };
    // Seed through the API, start the rotation, stop: the worker processes take over from here.
    const server = await startTestServer(kind, { env });
    accountId = server.accountId;
    const admin = callerOf(server, await server.login());
    ({ property } = await seedSensitiveRecords(admin, RECORDS));
    expectStatus(await admin.post('/api/v1/settings/encryption/rotate'), 202);
    await server.close();

    // Reads and opens values with the keys alone: no rotation worker in this process.
    const config = loadServerConfig(env);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config.database), migrationsRun: false }),
        CryptoModule.forRoot({
          keyProvider: new LocalKeyProvider(deriveKey(config.masterKey, 'custos/key-encryption')),
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    checker = {
      dataSource: app.get(DataSource),
      ciphers: app.get(AccountCiphers),
      close: () => app.close(),
    };
  });

  afterAll(async () => {
    for (const child of children) {
      await stop(child, 'SIGKILL');
    }
    await checker?.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function job(): Promise<KeyRotationJob> {
    return checker.dataSource.getRepository(KeyRotationJob).findOneByOrFail({ accountId });
  }

  /**
   * Kills the worker at a random point of the remaining work, whatever the machine's speed: once
   * 1–6 more batches have committed (or it stalls), plus a random 0–15 ms so that the kill also
   * lands inside a batch, not only between two.
   */
  async function killAtRandomProgress(child: ChildProcess, processed: number): Promise<void> {
    const target = processed + (1 + Math.floor(Math.random() * 6)) * Number(BATCH_SIZE);
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      const state = await job();
      if (state.processed >= target || state.status === 'completed') {
        break;
      }
      await sleep(2);
    }
    await sleep(Math.floor(Math.random() * 16));
    await stop(child, 'SIGKILL');
  }

  it('keeps every value readable through SIGKILLs and completes with all values on the new key', async () => {
    const initial = await storedValues(checker.dataSource, accountId, property);
    expect(initial).toHaveLength(3 * RECORDS);
    const plaintexts = await openAll(checker.ciphers, accountId, initial);
    const { targetVersion } = await job();
    expect(targetVersion).toBe(2);

    let killedMidway = 0;
    let previous = (await job()).processed;
    for (let kill = 0; kill < KILLS; kill += 1) {
      const { child, ready } = startWorker(env);
      children.push(child);
      await ready;
      await killAtRandomProgress(child, previous);

      const values = await storedValues(checker.dataSource, accountId, property);
      // Every value still opens, to what it was, and is on the old or the new key.
      await expect(openAll(checker.ciphers, accountId, values)).resolves.toEqual(plaintexts);
      expect(values.every((v) => [1, 2].includes(keyVersionOf(v.envelope)))).toBe(true);
      const state = await job();
      // Progress never goes back: committed batches stay committed with their position.
      expect(state.processed).toBeGreaterThanOrEqual(previous);
      previous = state.processed;
      if (state.status === 'completed') {
        break;
      }
      killedMidway += 1;
    }
    // How many kills land before the end depends on the machine's speed (a worker may run many
    // batches while it boots); several must, each checked above.
    expect(killedMidway).toBeGreaterThanOrEqual(MIN_KILLS_MIDWAY);

    const { child, ready } = startWorker(env);
    children.push(child);
    await ready;
    const deadline = Date.now() + 60_000;
    while ((await job()).status !== 'completed' && Date.now() < deadline) {
      await sleep(100);
    }
    await stop(child, 'SIGTERM');

    const final = await job();
    expect(final).toMatchObject({ status: 'completed', unreadable: 0, error: null });
    // Each value re-encrypted exactly once across all the processes: no batch counted twice.
    expect(final.processed).toBe(initial.length);
    expect(final.totalEstimate).toBe(initial.length);
    const values = await storedValues(checker.dataSource, accountId, property);
    expect(values.every((v) => keyVersionOf(v.envelope) === targetVersion)).toBe(true);
    await expect(openAll(checker.ciphers, accountId, values)).resolves.toEqual(plaintexts);
  }, 300_000);
});
