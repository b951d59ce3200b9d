import { FileStore, newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { startCrmTestApp, type CrmTestApp } from '../testing/crm-test-app';
import { importFileKey } from './import-files';
import { CrmImport } from './import.entity';
import { ImportService } from './import.service';
import { ImportWorker } from './import.worker';
import type { ImportDto } from './import.dto';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDatabaseKinds())(`${ImportWorker.name} on %s`, (kind) => {
  let crm: CrmTestApp;
  let imports: ImportService;
  let store: FileStore;

  beforeAll(async () => {
    crm = await startCrmTestApp(kind);
    imports = crm.app.get(ImportService);
    store = crm.app.get(FileStore);
  });

  afterAll(() => crm?.close());

  /** The import once the worker has ended it (polled; the worker runs in the background). */
  async function ended(id: string): Promise<ImportDto> {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const current = await crm.as(crm.admin, () => imports.get(id));
      if (current.status === 'done' || current.status === 'failed') {
        return current;
      }
      await sleep(100);
    }
    throw new Error(`import ${id} did not end`);
  }

  /** Uploads `csv` as the interceptor would and starts a create import of contacts. */
  async function upload(csv: string): Promise<ImportDto> {
    const id = newId();
    const key = `imports/uploads/${id}`;
    await store.put(key, Buffer.from(csv));
    return crm.as(crm.admin, () =>
      imports.create(
        { objectType: 'contacts', mapping: { Email: 'email', Name: 'lastname' }, mode: 'create' },
        { id, key, originalname: 'contacts.csv', size: Buffer.byteLength(csv) },
      ),
    );
  }

  const emails = async (domain: string): Promise<string[]> =>
    (
      await crm.dataSource.query<{ email: string }[]>(
        `SELECT email FROM crm_contact WHERE email LIKE '%@${domain}' ORDER BY email`,
      )
    ).map((row) => row.email);

  it('applies a small CSV, reporting the row that fails by its column and leaving the others applied', async () => {
    const started = await upload(
      [
        'Email,Name',
        'ada@applied.test,Lovelace',
        'alan@applied.test,Turing',
        'ada@applied.test,Twice',
        'grace@applied.test,Hopper',
      ].join('\n'),
    );
    expect(started).toMatchObject({ status: 'pending', totalRows: 4 });
    const done = await ended(started.id);
    expect(done).toMatchObject({
      status: 'done',
      processedRows: 4,
      created: 3,
      failed: 1,
      errorCount: 1,
      error: null,
    });
    const errors = await crm.as(crm.admin, () => imports.errors(started.id, { limit: 10 }));
    expect(errors.results).toEqual([
      expect.objectContaining({
        row: 3,
        column: 'Email',
        reason: expect.stringMatching(/^email: /),
      }),
    ]);
    expect(await emails('applied.test')).toEqual([
      'ada@applied.test',
      'alan@applied.test',
      'grace@applied.test',
    ]);
  });

  it('resumes an import stopped after its committed rows, applying only the rows after them', async () => {
    const csv = ['Email,Name', ...[1, 2, 3, 4].map((n) => `r${n}@resumed.test,Row ${n}`)].join(
      '\n',
    );
    // An import whose first two rows committed before the server stopped.
    const template = await crm.dataSource
      .getRepository(CrmImport)
      .findOneByOrFail({ id: (await upload('Email,Name\nfirst@template.test,First')).id });
    await ended(template.id);
    const id = newId();
    await store.put(importFileKey(id), Buffer.from(csv));
    await crm.dataSource.getRepository(CrmImport).insert({
      ...template,
      id,
      status: 'running',
      totalRows: 4,
      processedRows: 2,
      rowsCreated: 2,
      rowsFailed: 0,
      error: null,
      finishedAt: null,
    });

    expect(await crm.app.get(ImportWorker).resumeUnfinished()).toBe(1);

    expect(await ended(id)).toMatchObject({ status: 'done', processedRows: 4, created: 4 });
    expect(await emails('resumed.test')).toEqual(['r3@resumed.test', 'r4@resumed.test']);
  });
});
