import { Queue } from 'bullmq';
import { Jobs } from '@custos/core';
import { IMPORT_QUEUE } from '../src/crm/imports/import.worker';
import { callerOf, expectStatus } from './access/access-support';
import { startKillCluster, type KillCluster } from './support/kill-cluster';
import { startTestServer, type TestServer } from './support/test-server';
import { stopWorker } from './support/worker-process';

/**
 * Rows of the CSV: 6 batches of the default 200. The uploading instance may commit one before it
 * stops and the killed one two (the kill follows its first), so the survivor has some left.
 */
const ROWS = 1200;
const BATCH = 200;

interface ImportRow {
  status: string;
  total_rows: number;
  processed_rows: number;
  rows_created: number;
  rows_failed: number;
  error: string | null;
}

describe('A CSV import on PostgreSQL, Redis (BullMQ) and S3', () => {
  let cluster: KillCluster;
  /** The instance the CSV is uploaded through. */
  let server: TestServer | undefined;

  beforeAll(async () => {
    cluster = await startKillCluster();
  });

  afterAll(async () => {
    await server?.close();
    await cluster?.close();
  });

  async function importRow(id: string): Promise<ImportRow> {
    const [row] = await cluster.dataSource.query<ImportRow[]>(
      'SELECT status, total_rows, processed_rows, rows_created, rows_failed, error FROM crm_import WHERE id = $1',
      [id],
    );
    return row;
  }

  /** The import and its job as they are, for a failure message. */
  async function situation(): Promise<string> {
    const imports = new Queue(IMPORT_QUEUE, { connection: cluster.redis, prefix: cluster.prefix });
    try {
      const jobs = await imports.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
      return `imports: ${JSON.stringify(await cluster.dataSource.query('SELECT status, processed_rows, error FROM crm_import'))}; jobs: ${JSON.stringify(jobs.map((j) => ({ by: j.processedBy, attempts: j.attemptsStarted, failed: j.failedReason, finished: j.finishedOn })))}`;
    } finally {
      await imports.close();
    }
  }

  const waitFor = <T>(what: string, ms: number, check: () => Promise<T | undefined>) =>
    cluster.waitFor(what, ms, check, situation);

  it('finishes on another instance the import of a SIGKILLed one, every row applied once', async () => {
    // Upload through one instance (its files in S3, none on its own disk), whose job workers
    // then stop; two more start meanwhile (the database is set up by then).
    server = await startTestServer('postgres', { env: cluster.env });
    const instances = [cluster.instance(), cluster.instance()];
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
    const holder = await cluster.holder(IMPORT_QUEUE, instances, 60_000);
    const taken = (await importRow(uploaded.id)).processed_rows;
    const before = await waitFor('a batch committed by the holder', 60_000, async () => {
      const row = await importRow(uploaded.id);
      return row.processed_rows >= taken + BATCH ? row : undefined;
    });
    await stopWorker(holder.child, 'SIGKILL');
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
    const [contacts] = await cluster.dataSource.query<{ total: string; distinct: string }[]>(
      `SELECT COUNT(*) AS total, COUNT(DISTINCT email) AS distinct FROM crm_contact WHERE email LIKE '%@kill.test'`,
    );
    expect(Number(contacts.total)).toBe(ROWS);
    expect(Number(contacts.distinct)).toBe(ROWS);
    const [errors] = await cluster.dataSource.query<{ total: string }[]>(
      'SELECT COUNT(*) AS total FROM crm_import_error WHERE import_id = $1',
      [uploaded.id],
    );
    expect(Number(errors.total)).toBe(0);
    // The file went with the import's end.
    expect(await cluster.storedKeys('imports/')).toEqual([]);

    const survivor = instances.find((i) => i !== holder)!;
    await stopWorker(survivor.child, 'SIGTERM');
  }, 240_000);
});
