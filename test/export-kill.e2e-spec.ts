import { createHash } from 'node:crypto';
import { Jobs } from '@custos/core';
import { EXPORT_QUEUE } from '@custos/exports';
import { callerOf, expectStatus, type Caller } from './access/access-support';
import { startKillCluster, type KillCluster } from './support/kill-cluster';
import { startTestServer, type TestServer } from './support/test-server';
import { stopWorker } from './support/worker-process';

/**
 * Contacts exported: rows done are reported every 5,000 (the default), so a run reports many
 * times before it ends and the kill lands in the middle of it. (At 40,000 a run could report its
 * last rows before the kill landed, once exports got fast.)
 */
const CONTACTS = 200_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ExportRow {
  state: string;
  rows_done: number;
  rows_total: number | null;
  sha256: string | null;
  file_key: string | null;
  error_code: string | null;
}

describe('An export on PostgreSQL, Redis (BullMQ) and S3 whose server is SIGKILLed', () => {
  let cluster: KillCluster;
  /** The instance the export is asked for and downloaded through (its own job workers stopped). */
  let server: TestServer | undefined;

  beforeAll(async () => {
    cluster = await startKillCluster();
  });

  afterAll(async () => {
    await server?.close();
    await cluster?.close();
  });

  async function exportRow(id: string): Promise<ExportRow> {
    const [row] = await cluster.dataSource.query<ExportRow[]>(
      'SELECT state, rows_done, rows_total, sha256, file_key, error_code FROM custos_export WHERE id = $1',
      [id],
    );
    return { ...row, rows_done: Number(row.rows_done) };
  }

  const storedKeys = () => cluster.storedKeys('exports/');

  /**
   * The export's file while it is not done: 409 "not ready", never bytes. (Its store key may
   * already hold the whole file for the moment between the move and the commit of `done`.) The
   * export may finish between reading its state and this request: then the bytes are the whole
   * file, the one whose hash is on record — never a part.
   */
  async function expectNeverPartial(admin: Caller, id: string): Promise<void> {
    const response = await admin.get(`/api/v1/exports/${id}/file`).responseType('blob');
    if (response.status === 200) {
      const row = await exportRow(id);
      expect(row.state).toBe('done');
      expect(
        createHash('sha256')
          .update(response.body as Buffer)
          .digest('hex'),
      ).toBe(row.sha256);
      return;
    }
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    const problem = JSON.parse((response.body as Buffer).toString('utf8')) as { state: string };
    expect(problem.state).toMatch(/^(queued|running)$/);
  }

  const waitFor = <T>(what: string, ms: number, check: () => Promise<T | undefined>) =>
    cluster.waitFor(what, ms, check, async () =>
      JSON.stringify(
        await cluster.dataSource.query('SELECT state, rows_done, error_code FROM custos_export'),
      ),
    );

  it('ends done with the whole file or failed, never stuck running, nothing partial downloadable', async () => {
    server = await startTestServer('postgres', { env: cluster.env });
    // The export runs on the child instances only: this one's job workers (and queue connection)
    // stop at once, so its job is given by the children's start-up, which queues every queued
    // export without one.
    await server.app.get(Jobs).beforeApplicationShutdown();
    const admin = callerOf(server, await server.login());
    // One contact through the API gives the account and owner; the rest are copied in SQL.
    expectStatus(
      await admin.post('/api/v1/objects/contacts', {
        properties: { email: 'first@kill.test', lastname: 'First' },
      }),
      201,
    );
    await cluster.dataSource.query(
      `INSERT INTO crm_contact (id, account_id, owner_id, custom, created_at, updated_at, email, lastname)
       SELECT gen_random_uuid()::text, c.account_id, c.owner_id, '{}', c.created_at, c.updated_at,
              'row' || n || '@kill.test', 'Row ' || n
       FROM crm_contact c, generate_series(2, $1) AS n`,
      [CONTACTS],
    );

    const created = expectStatus(
      await admin.post('/api/v1/exports', {
        source: 'records',
        format: 'csv',
        selection: { objectType: 'contacts' },
        properties: ['email', 'lastname'],
      }),
      202,
    ).body as { id: string; state: string };
    expect(created.state).toBe('queued');
    const instances = [cluster.instance(), cluster.instance()];
    await Promise.all(instances.map((i) => i.ready));

    // The instance running the export (BullMQ names it in `processedBy`), once it has reported
    // rows done: then SIGKILL it.
    const holder = await cluster.holder(EXPORT_QUEUE, instances, 30_000);
    const before = await waitFor('rows reported by the holder', 30_000, async () => {
      const row = await exportRow(created.id);
      return row.rows_done > 0 || row.state !== 'running' ? row : undefined;
    });
    await stopWorker(holder.child, 'SIGKILL');
    expect(before).toMatchObject({ state: 'running', rows_total: CONTACTS });
    expect(before.rows_done).toBeLessThan(CONTACTS);

    // Until it is done, the file is refused (or, finished meanwhile, served whole).
    let final: ExportRow | undefined;
    while (!final) {
      const row = await exportRow(created.id);
      if (row.state === 'done' || row.state === 'failed') {
        final = row;
      } else {
        expect(row.state).toBe('running');
        await expectNeverPartial(admin, created.id);
        await sleep(50);
      }
    }

    if (final.state === 'failed') {
      expect(final.error_code).not.toBeNull();
      expect(await storedKeys()).toEqual([]);
      expectStatus(await admin.get(`/api/v1/exports/${created.id}/file`), 409);
    } else {
      expect(final).toMatchObject({ state: 'done', rows_done: CONTACTS, rows_total: CONTACTS });
      const bytes = expectStatus(
        await admin.get(`/api/v1/exports/${created.id}/file`).responseType('blob'),
        200,
      ).body as Buffer;
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(final.sha256);
      const lines = bytes.toString('utf8').trimEnd().split(/\r?\n/);
      expect(lines).toHaveLength(CONTACTS + 1); // the header and every contact once
      expect(new Set(lines).size).toBe(CONTACTS + 1);
      expect(await storedKeys()).toEqual([final.file_key]);
    }

    const survivor = instances.find((i) => i !== holder)!;
    await stopWorker(survivor.child, 'SIGTERM');
  }, 120_000);
});
