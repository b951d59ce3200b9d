import fc from 'fast-check';
import { FileStore, RequestContext, TransactionHost, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { OpeningWorkers, SubjectKeys } from '@custos/crypto';
import { EXPORT_SOURCES, type ExportCell, type ExportSource } from '@custos/exports';
import { CrmExportsModule } from '../../src/crm/exports';
import { startTestServer, type TestServer } from '../support/test-server';
import { Setup, expectStatus, type Caller } from '../access/access-support';
import { contactsExport, requestExport, waitForExport } from '../support/exports';
import { createProperty, createRecords, uniqueName } from './crm-support';

/**
 * Issue 15: an export opens its pages of sealed values in worker threads (`OpeningWorkers`) with
 * the outcomes the event loop gives — values, erased subjects, values tampered with — and a page
 * that does not open in a worker fails the export, leaving no file.
 */
describe.each(testDatabaseKinds())('export opened by workers on %s', (kind) => {
  /** Servers on one database: no workers, one and two, every page of values sent to them. */
  let servers: TestServer[];
  let admin: Caller;
  let adminActor: Actor;
  let ssn: string;
  let dx: string;
  let runs = 0;

  beforeAll(async () => {
    const first = await startTestServer(kind, {
      imports: [CrmExportsModule],
      env: workersEnv(0),
    });
    servers = [first];
    for (const threads of [1, 2]) {
      servers.push(
        await startTestServer(kind, {
          imports: [CrmExportsModule],
          sameDatabaseAs: first,
          env: workersEnv(threads),
        }),
      );
    }
    ({ admin, adminActor, ssn, dx } = await withSensitiveProperties(first));
  });

  afterAll(async () => {
    for (const server of [...(servers ?? [])].reverse()) {
      await server.close();
    }
  });

  /** The records export's rows on `server` for the admin, as cells. */
  const exported = (server: TestServer, properties: string[]): Promise<ExportCell[][]> =>
    server.app.get(RequestContext).runAs(adminActor, async () => {
      const source = server.app
        .get<ExportSource[]>(EXPORT_SOURCES)
        .find((s) => s.name === 'records')!;
      const rows: ExportCell[][] = [];
      const target = {
        source: 'records',
        format: 'csv',
        selection: { objectType: 'contacts', filterGroups: [] },
        properties,
      };
      for await (const batch of source.rows(target, new AbortController().signal)) {
        rows.push(...batch);
      }
      return rows;
    });

  it('gives the same rows with 0, 1 and 2 workers: unicode values, erased subjects, a value tampered with', async () => {
    const db = servers[0].app.get(TransactionHost);
    // Not replaced: watched, to know the pages went to the workers.
    const sent = servers
      .slice(1)
      .map((server) => jest.spyOn(server.app.get(OpeningWorkers), 'open'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            ssn: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })),
            dx: fc.option(fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 30 })),
            fate: fc.constantFrom('kept', 'kept', 'erased', 'tampered'),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (inputs) => {
          runs += 1;
          const created = await createRecords(
            admin,
            'contacts',
            inputs.map((input, i) => ({
              email: `opening-${runs}-${i}@workers.test`,
              [ssn]: input.ssn,
              [dx]: input.dx,
            })),
          );
          const expected = new Map<string, ExportCell[]>();
          for (const [i, input] of inputs.entries()) {
            const id = created[i].id;
            let cells: ExportCell[] = [input.ssn, input.dx];
            if (input.fate === 'erased') {
              await db.run(() =>
                servers[0].app.get(SubjectKeys).destroy(adminActor.accountId, 'contact', id),
              );
              cells = [null, null];
            } else if (input.fate === 'tampered' && input.ssn !== null) {
              const p = kind === 'postgres' ? ['$1', '$2'] : ['?', '?'];
              const [row] = await db.manager.query<{ custom: string }[]>(
                `SELECT custom FROM crm_contact WHERE id = ${p[0]}`,
                [id],
              );
              const custom = JSON.parse(row.custom) as Record<string, string>;
              const envelope = custom[ssn];
              custom[ssn] =
                envelope.slice(0, 12) + (envelope[12] === 'A' ? 'B' : 'A') + envelope.slice(13);
              await db.manager.query(`UPDATE crm_contact SET custom = ${p[0]} WHERE id = ${p[1]}`, [
                JSON.stringify(custom),
                id,
              ]);
              cells = [null, input.dx];
            }
            expected.set(id, cells);
          }
          const [inline, ...opened] = await Promise.all(
            servers.map((server) => exported(server, ['email', ssn, dx])),
          );
          for (const rows of opened) {
            expect(rows).toEqual(inline);
          }
          const byId = new Map(inline.map((row) => [row[0] as string, row.slice(2)]));
          for (const [id, cells] of expected) {
            expect(byId.get(id)).toEqual(cells);
          }
        },
      ),
      { numRuns: 4 },
    );
    for (const spy of sent) {
      expect(spy).toHaveBeenCalled();
    }
  });

  describe('a worker dying while it opens a page', () => {
    let server: TestServer;
    let caller: Caller;
    let properties: string[];

    beforeAll(async () => {
      server = await startTestServer(kind, { imports: [CrmExportsModule], env: workersEnv(1) });
      const setup = await withSensitiveProperties(server);
      caller = setup.admin;
      properties = ['email', setup.ssn, setup.dx];
      await createRecords(
        caller,
        'contacts',
        Array.from({ length: 5 }, (_, i) => ({
          email: `dying-${i}@workers.test`,
          [setup.ssn]: `ssn ${i}`,
          [setup.dx]: `dx ${i}`,
        })),
      );
    });

    afterAll(async () => server?.close());

    it('fails the export: marked failed, no file kept', async () => {
      const workers = server.app.get(OpeningWorkers);
      const open = workers.open.bind(workers);
      // The real worker, ended while it has the page.
      jest.spyOn(workers, 'open').mockImplementation((page) => {
        const opened = open(page);
        void workers.close();
        return opened;
      });
      const created = await requestExport(caller, contactsExport(properties));
      const ended = await waitForExport(caller, created.id);
      expect(ended.state).toBe('failed');
      expect(workers.open).toHaveBeenCalledTimes(1);
      expectStatus(await caller.get(`/api/v1/exports/${created.id}/file`), 409);
      const stored: string[] = [];
      for await (const file of server.app.get(FileStore).list('exports/')) {
        stored.push(file.key);
      }
      expect(stored).toEqual([]);
    });
  });
});

function workersEnv(threads: number): Record<string, string> {
  return {
    CUSTOS_OPENING_WORKERS: String(threads),
    CUSTOS_OPENING_WORKERS_FROM_VALUES: '1',
  };
}

/** Sensitive data enabled on the server's account, with two sensitive contact properties. */
async function withSensitiveProperties(
  server: TestServer,
): Promise<{ admin: Caller; adminActor: Actor; ssn: string; dx: string }> {
  const admin = new Setup(server, await server.login()).admin;
  expectStatus(
    await admin.post('/api/v1/settings/sensitive-data/enable', {
      categories: ['government_identifiers', 'health_data'],
      acceptTerms: true,
    }),
    200,
  );
  const ssn = uniqueName('ssn');
  const dx = uniqueName('dx');
  for (const name of [ssn, dx]) {
    await createProperty(admin, 'contacts', {
      name,
      label: name,
      type: 'string',
      sensitivity: { highlySensitive: false },
    });
  }
  const me = expectStatus(await admin.get('/api/v1/me'), 200).body as { user: { id: string } };
  const adminActor: Actor = {
    kind: 'user',
    id: me.user.id,
    userId: me.user.id,
    accountId: server.accountId,
    label: 'admin',
    superAdmin: true,
  };
  return { admin, adminActor, ssn, dx };
}
