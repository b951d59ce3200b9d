import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Jobs } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { startTestServer, type TestServer } from '../support/test-server';
import { callerOf, expectStatus, type Caller } from '../access/access-support';
import { createProperty, uniqueName } from './crm-support';

/** A value of a sensitive column that must never lie in clear on disk. */
const CANARY = 'CANARY-5e0c-import-at-rest';

interface ImportView {
  id: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  created: number;
  error: string | null;
}

/** Every file below `directory`, recursively. */
function filesBelow(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

describe.each(testDatabaseKinds())(
  'issue 11 item 10: the CSV of an import in progress at rest on %s',
  (kind) => {
    let server: TestServer;
    let restarted: TestServer;
    let admin: Caller;
    let diagnosis: string;
    let pending: ImportView;
    let tampered: ImportView;
    /** Every file under the data directory, with its content, while both imports waited. */
    let filesWhilePending: Map<string, Buffer>;

    const importFile = (id: string) => join(server.config.dataDir, 'imports', `${id}.csv`);

    const startImport = async (caller: Caller, csv: string): Promise<ImportView> =>
      expectStatus(
        await caller
          .upload('/api/v1/imports')
          .field('objectType', 'contacts')
          .field('mode', 'create')
          .field('mapping', JSON.stringify({ Email: 'email', Diagnosis: diagnosis }))
          .attach('file', Buffer.from(csv, 'utf8'), {
            filename: 'patients.csv',
            contentType: 'text/csv',
          }),
        202,
      ).body as ImportView;

    async function finished(caller: Caller, id: string): Promise<ImportView> {
      for (let attempt = 0; attempt < 1000; attempt += 1) {
        const view = expectStatus(await caller.get(`/api/v1/imports/${id}`), 200)
          .body as ImportView;
        if (view.status === 'done' || view.status === 'failed') {
          return view;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`import ${id} did not finish`);
    }

    beforeAll(async () => {
      server = await startTestServer(kind);
      admin = callerOf(server, await server.login());
      expectStatus(
        await admin.post('/api/v1/settings/sensitive-data/enable', {
          categories: ['health_data'],
          acceptTerms: true,
        }),
        200,
      );
      diagnosis = uniqueName('diagnosis');
      await createProperty(admin, 'contacts', {
        name: diagnosis,
        label: 'Diagnosis',
        type: 'string',
        sensitivity: {},
      });
      // The job workers stop as at a shutdown: the imports stay pending, their files on disk.
      await server.app.get(Jobs).beforeApplicationShutdown();
      pending = await startImport(
        admin,
        `Email,Diagnosis\n${[1, 2, 3].map((n) => `p${n}@rest.test,${CANARY}-${n}`).join('\n')}\n`,
      );
      tampered = await startImport(admin, `Email,Diagnosis\nt1@rest.test,${CANARY}-t\n`);
      filesWhilePending = new Map(
        filesBelow(server.config.dataDir).map((path) => [path, readFileSync(path)]),
      );
      const bytes = readFileSync(importFile(tampered.id));
      bytes[bytes.length - 20] ^= 0x01;
      writeFileSync(importFile(tampered.id), bytes);
      // A second start on the same database and data directory resumes what the first left.
      restarted = await startTestServer(kind, {
        sameDatabaseAs: server,
        env: { CUSTOS_DATA_DIR: server.config.dataDir },
      });
    });

    afterAll(async () => {
      await restarted?.close();
      await server.close();
    });

    it('keeps no sensitive cell in clear in any file under the data directory while the import is pending', () => {
      expect([...filesWhilePending.keys()]).toContain(importFile(pending.id));
      expect(
        [...filesWhilePending]
          .filter(([, content]) => content.includes(Buffer.from(CANARY, 'utf8')))
          .map(([path]) => path),
      ).toEqual([]);
    });

    it('applies the sealed file after a restart', async () => {
      const caller = callerOf(restarted, await restarted.login());
      const result = await finished(caller, pending.id);
      const records = expectStatus(
        await caller.get('/api/v1/objects/contacts', { properties: diagnosis, limit: 100 }),
        200,
      ).body.results as { properties: Record<string, unknown> }[];
      expect({
        status: result.status,
        created: result.created,
        values: records
          .map((r) => r.properties[diagnosis])
          .filter(Boolean)
          .sort(),
      }).toEqual({
        status: 'done',
        created: 3,
        values: [`${CANARY}-1`, `${CANARY}-2`, `${CANARY}-3`],
      });
    });

    it('fails an import whose sealed file was changed on disk, saying so without its content', async () => {
      const caller = callerOf(restarted, await restarted.login());
      const result = await finished(caller, tampered.id);
      expect({ status: result.status, leaked: JSON.stringify(result).includes(CANARY) }).toEqual({
        status: 'failed',
        leaked: false,
      });
      expect(result.error).toContain('integrity check');
      expect(restarted.logs.join('')).not.toContain(CANARY);
    });
  },
);
