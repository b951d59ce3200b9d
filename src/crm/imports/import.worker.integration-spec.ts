import { FileStore, JOB_BACKEND, Jobs, newId, type JobBackend, type JobView } from '@custos/core';
import { jobInState, testDatabaseKinds } from '@custos/core/testing';
import { startCrmTestApp, type CrmTestApp } from '../testing';
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

  it('ends an import whose delayed job is cancelled; retrying that job completes it doing nothing', async () => {
    const template = await crm.dataSource
      .getRepository(CrmImport)
      .findOneByOrFail({ id: (await upload('Email,Name\nfirst@template.test,First')).id });
    await ended(template.id);
    const id = newId();
    await store.put(importFileKey(id), Buffer.from('Email,Name\nretried@cancelled.test,Retried'));
    await crm.dataSource.getRepository(CrmImport).insert({
      ...template,
      id,
      status: 'pending',
      totalRows: 1,
      processedRows: 0,
      rowsCreated: 0,
      error: null,
      startedAt: null,
      finishedAt: null,
    });
    // Its job, due in a minute: the running workers do not take it before the cancel.
    const job = await crm.app.get<JobBackend>(JOB_BACKEND).add({
      name: 'crm.import',
      key: id,
      accountId: crm.accountId,
      actor: null,
      data: { importId: id },
      maxAttempts: 3,
      backoffMs: 1000,
      delayMs: 60_000,
    });
    const jobs = crm.app.get(Jobs);

    await crm.as(crm.admin, () => jobs.cancel(job.id));
    expect(await crm.as(crm.admin, () => imports.get(id))).toMatchObject({
      status: 'failed',
      error: 'The import was cancelled before it started; no rows were applied.',
    });

    // The import is over (its file removed): the retried job finds it failed and returns.
    await jobs.retry(job.id);
    expect(await jobInState(jobs, job.id, 'completed')).toMatchObject({ errorCode: null });
    expect(await crm.as(crm.admin, () => imports.get(id))).toMatchObject({ status: 'failed' });
    expect(await emails('cancelled.test')).toEqual([]);
  });
});

describe.each(testDatabaseKinds())(
  `${ImportWorker.name} with stopped job workers on %s`,
  (kind) => {
    let crm: CrmTestApp;

    beforeAll(async () => {
      crm = await startCrmTestApp(kind);
      // The workers stop as at a shutdown: an import's job stays waiting, never started.
      await crm.app.get(Jobs).beforeApplicationShutdown();
    });

    afterAll(() => crm?.close());

    /** Starts an import of one contact; returns it and its (waiting) job. */
    async function pendingImport(email: string): Promise<{ started: ImportDto; job: JobView }> {
      const store = crm.app.get(FileStore);
      const csv = `Email,Name\n${email},Never`;
      const id = newId();
      await store.put(`imports/uploads/${id}`, Buffer.from(csv));
      const started = await crm.as(crm.admin, () =>
        crm.app.get(ImportService).create(
          {
            objectType: 'contacts',
            mapping: { Email: 'email', Name: 'lastname' },
            mode: 'create',
          },
          {
            id,
            key: `imports/uploads/${id}`,
            originalname: 'c.csv',
            size: Buffer.byteLength(csv),
          },
        ),
      );
      const job = (await crm.app.get(Jobs).list(crm.accountId, { limit: 100 })).results.find(
        (j) => j.key === started.id,
      )!;
      expect(job).toMatchObject({ name: 'crm.import', state: 'waiting' });
      return { started, job };
    }

    it('ends an import failed, nothing applied, when its job is cancelled before it started', async () => {
      const store = crm.app.get(FileStore);
      const imports = crm.app.get(ImportService);
      const jobs = crm.app.get(Jobs);
      const { started, job } = await pendingImport('never@cancelled.test');

      await expect(crm.as(crm.admin, () => jobs.cancel(job.id))).resolves.toMatchObject({
        state: 'cancelled',
        key: started.id,
      });

      expect(await crm.as(crm.admin, () => imports.get(started.id))).toMatchObject({
        status: 'failed',
        error: 'The import was cancelled before it started; no rows were applied.',
        processedRows: 0,
        created: 0,
      });
      expect(await store.stat(importFileKey(started.id))).toBeNull();
      expect(
        await crm.dataSource.query(
          `SELECT id FROM crm_contact WHERE email = 'never@cancelled.test'`,
        ),
      ).toEqual([]);
    });

    it('ends at start a pending import whose job was cancelled without the import hearing of it', async () => {
      const { started, job } = await pendingImport('lost@cancelled.test');
      // The backend alone: as when the `cancelled` call was lost.
      await crm.app.get<JobBackend>(JOB_BACKEND).cancel(job.id);

      await crm.app.get(ImportWorker).resumeUnfinished();

      expect(
        await crm.as(crm.admin, () => crm.app.get(ImportService).get(started.id)),
      ).toMatchObject({
        status: 'failed',
        error: 'The import was cancelled before it started; no rows were applied.',
      });
    });
  },
);
