import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'supertest';
import { newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { ImportWorker } from '../../src/crm/imports/import.worker';
import { auditEvents, expectProblem, walkPages } from '../support/api';
import { newUser } from '../support/factories';
import { insertInterruptedImport } from './crm-support';
import { ADMIN_EMAIL, startTestServer, type TestServer } from '../support/test-server';

interface ImportView {
  id: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errorCount: number;
  error: string | null;
  createdBy: { kind: string; id: string; label: string };
}

interface ImportErrorView {
  row: number;
  column: string | null;
  reason: string;
}

interface RecordView {
  id: string;
  properties: Record<string, string | number | boolean | null>;
  updatedAt: string;
}

interface ImportFields {
  objectType?: string;
  mapping?: Record<string, string> | string;
  mode?: string;
  uniqueProperty?: string;
}

const CONTACT_MAPPING = { Email: 'email', 'First name': 'firstname', Stage: 'lifecyclestage' };

describe.each(testDatabaseKinds())('CRM CSV import on %s', (kind) => {
  let server: TestServer;
  let token: string;

  const importsDir = () => join(server.config.dataDir, 'imports');
  const leftoverUploads = () => {
    const uploads = join(importsDir(), 'uploads');
    return existsSync(uploads) ? readdirSync(uploads) : [];
  };

  const upload = (
    target: TestServer,
    bearer: string,
    csv: string,
    fields: ImportFields,
    fileName = 'contacts.csv',
  ): Test => {
    let req = target.http().post('/api/v1/imports').auth(bearer, { type: 'bearer' });
    for (const [name, value] of Object.entries(fields)) {
      req = req.field(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return req.attach('file', Buffer.from(csv, 'utf8'), {
      filename: fileName,
      contentType: 'text/csv',
    });
  };

  const get = (path: string, query: Record<string, unknown> = {}) =>
    server.http().get(path).query(query).auth(token, { type: 'bearer' });
  const post = (path: string, body: object) =>
    server.http().post(path).auth(token, { type: 'bearer' }).send(body);

  /** Polls the import until it ends (bounded; the worker runs in the same process). */
  async function finished(id: string): Promise<ImportView> {
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const response = await get(`/api/v1/imports/${id}`);
      expect(response.status).toBe(200);
      const view = response.body as ImportView;
      if (view.status === 'done' || view.status === 'failed') {
        return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`import ${id} did not finish`);
  }

  /**
   * Whether the file is gone within 5 s: an import's file is removed just after its `done` is
   * committed, so a poll that saw `done` may look before the removal.
   */
  async function removed(path: string): Promise<boolean> {
    for (let attempt = 0; attempt < 250 && existsSync(path); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return !existsSync(path);
  }

  async function runImport(csv: string, fields: ImportFields): Promise<ImportView> {
    const response = await upload(server, token, csv, { objectType: 'contacts', ...fields });
    expect({ status: response.status, body: response.body as unknown }).toMatchObject({
      status: 202,
      body: { status: 'pending' },
    });
    const { id } = response.body as ImportView;
    expect(response.headers.location).toBe(`/api/v1/imports/${id}`);
    return finished(id);
  }

  async function errorsOf(id: string): Promise<ImportErrorView[]> {
    const { pages } = await walkPages<ImportErrorView>((after) =>
      get(`/api/v1/imports/${id}/errors`, { limit: 2, after }),
    );
    return pages.flat();
  }

  async function contactsByEmail(emails: string[]): Promise<RecordView[]> {
    const response = await post('/api/v1/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'in', values: emails }] }],
      limit: 100,
    });
    expect(response.status).toBe(200);
    return (response.body as { results: RecordView[] }).results;
  }

  async function historyOf(
    id: string,
  ): Promise<{ property: string; source: string; actor: { kind: string; id: string } }[]> {
    const response = await get(`/api/v1/objects/contacts/${id}/history`, { limit: 100 });
    expect(response.status).toBe(200);
    return response.body.results;
  }

  async function importCount(): Promise<number> {
    const { pages } = await walkPages<ImportView>((after) =>
      get('/api/v1/imports', { limit: 100, after }),
    );
    return pages.flat().length;
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    token = await server.login();
  });

  afterAll(async () => {
    await server.close();
  });

  it('commits the valid rows and reports each invalid one by row, column and reason', async () => {
    const taken = await post('/api/v1/objects/contacts', {
      properties: { email: 'taken@import.test' },
    });
    expect(taken.status).toBe(201);
    const csv = [
      'Email,First name,Stage,Birthday,Notes',
      'ada@import.test,Ada,lead,1815-12-10,ignored',
      'bad-date@import.test,Bob,lead,yesterday,',
      'bad-stage@import.test,Cy,wizard,,',
      'ADA@import.test,Ada again,lead,,',
      'short-row@import.test,Dee',
      'taken@import.test,Eve,customer,,',
      'grace@import.test,Grace,,,',
    ].join('\n');
    const result = await runImport(csv, {
      mapping: { ...CONTACT_MAPPING, Birthday: 'birthdate' },
      mode: 'create',
    });
    expect(result).toMatchObject({
      status: 'done',
      totalRows: 7,
      processedRows: 7,
      created: 2,
      updated: 0,
      failed: 5,
      errorCount: 5,
      error: null,
      createdBy: { kind: 'user', label: ADMIN_EMAIL },
    });
    const errors = await errorsOf(result.id);
    expect(errors).toEqual([
      { row: 2, column: 'Birthday', reason: 'birthdate: expected a date (YYYY-MM-DD)' },
      {
        row: 3,
        column: 'Stage',
        reason: expect.stringMatching(/^lifecyclestage: expected one of/),
      },
      { row: 4, column: 'Email', reason: 'email: is already used by another record' },
      { row: 5, column: null, reason: 'the row has 2 cells; the header row has 5' },
      { row: 6, column: 'Email', reason: 'email: is already used by another record' },
    ]);
    // Cell values may be personal data: no reason repeats one.
    for (const value of ['yesterday', 'wizard', 'taken@', 'short-row', 'Dee']) {
      expect(errors.map((e) => e.reason).join('\n')).not.toContain(value);
    }
    const created = await contactsByEmail([
      'ada@import.test',
      'grace@import.test',
      'bad-date@import.test',
      'bad-stage@import.test',
      'short-row@import.test',
    ]);
    expect(created.map((r) => r.properties.email).sort()).toEqual([
      'ada@import.test',
      'grace@import.test',
    ]);
    const ada = created.find((r) => r.properties.email === 'ada@import.test')!;
    expect(ada.properties).toMatchObject({
      firstname: 'Ada',
      lifecyclestage: 'lead',
      birthdate: '1815-12-10',
    });
    const history = await historyOf(ada.id);
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((h) => h.source === 'import' && h.actor.kind === 'user')).toBe(true);
    expect(history.map((h) => h.actor.id)).toContain(result.createdBy.id);
    const [started] = await auditEvents(server, token, {
      action: 'import.started',
      targetId: result.id,
    });
    expect(started).toMatchObject({ actor: { label: ADMIN_EMAIL }, metadata: { totalRows: 7 } });
    const [ended] = await auditEvents(server, token, {
      action: 'import.finished',
      targetId: result.id,
    });
    expect(ended.metadata).toMatchObject({ status: 'done', created: 2, updated: 0, failed: 5 });
    // The file is removed once its rows are in the CRM.
    await expect(removed(join(importsDir(), `${result.id}.csv`))).resolves.toBe(true);
  });

  it("reports a cell holding a NUL character as the row's error, and imports the others", async () => {
    const csv = [
      'Email,First name,No\u0000tes',
      'nul-a@import.test,Ad\u0000a,x',
      'nul-b@import.test,Bea,\u0000',
    ].join('\n');
    const result = await runImport(csv, {
      mapping: { Email: 'email', 'First name': 'firstname' },
      mode: 'create',
    });
    expect(result).toMatchObject({ status: 'done', created: 1, failed: 1 });
    expect(await errorsOf(result.id)).toEqual([
      { row: 1, column: 'First name', reason: 'firstname: must not contain a NUL character' },
    ]);
  });

  it('changes nothing when the same upsert runs again: no history, no audit, no counts', async () => {
    const existing = await post('/api/v1/objects/contacts', {
      properties: { email: 'up1@import.test', firstname: 'Old', lifecyclestage: 'lead' },
    });
    expect(existing.status).toBe(201);
    const csv = 'Email,First name,Stage\nUP1@import.test,New,lead\nup2@import.test,Two,customer\n';
    const fields = { mapping: CONTACT_MAPPING, mode: 'upsert', uniqueProperty: 'email' };
    const first = await runImport(csv, fields);
    expect(first).toMatchObject({
      status: 'done',
      created: 1,
      updated: 1,
      unchanged: 0,
      failed: 0,
    });
    const afterFirst = (await get(`/api/v1/objects/contacts/${existing.body.id}`))
      .body as RecordView;
    expect(afterFirst.properties).toMatchObject({ email: 'UP1@import.test', firstname: 'New' });
    const historyBefore = await historyOf(existing.body.id);
    const updatesBefore = await auditEvents(server, token, {
      action: 'record.updated',
      targetId: existing.body.id,
    });

    const second = await runImport(csv, fields);

    expect(second).toMatchObject({
      status: 'done',
      created: 0,
      updated: 0,
      unchanged: 2,
      failed: 0,
    });
    expect(await historyOf(existing.body.id)).toEqual(historyBefore);
    expect(
      await auditEvents(server, token, { action: 'record.updated', targetId: existing.body.id }),
    ).toEqual(updatesBefore);
    const afterSecond = (await get(`/api/v1/objects/contacts/${existing.body.id}`))
      .body as RecordView;
    expect(afterSecond).toEqual(afterFirst);
    expect(await contactsByEmail(['up2@import.test'])).toHaveLength(1);
  });

  it('updates the records found by a unique property and reports rows that match none', async () => {
    const acme = await post('/api/v1/objects/companies', {
      properties: { domain: 'acme.test', name: 'Acme' },
    });
    expect(acme.status).toBe(201);
    const response = await upload(
      server,
      token,
      'Domain,Employees\nacme.test,50\nnowhere.test,3\nacme.test,not a number\n',
      {
        objectType: 'companies',
        mapping: { Domain: 'domain', Employees: 'numberofemployees' },
        mode: 'update',
        uniqueProperty: 'domain',
      },
      'companies.csv',
    );
    expect(response.status).toBe(202);
    const result = await finished(response.body.id);
    expect(result).toMatchObject({ status: 'done', created: 0, updated: 1, failed: 2 });
    expect(await errorsOf(result.id)).toEqual([
      { row: 2, column: 'Domain', reason: 'domain: no company has this value' },
      { row: 3, column: 'Employees', reason: 'numberofemployees: expected a number' },
    ]);
    const company = await get(`/api/v1/objects/companies/${acme.body.id}`);
    expect(company.body.properties).toMatchObject({ name: 'Acme', numberofemployees: 50 });
    const history = await get(`/api/v1/objects/companies/${acme.body.id}/history`, {
      property: 'numberofemployees',
    });
    expect(history.body.results).toEqual([
      expect.objectContaining({ oldValue: null, newValue: 50, source: 'import' }),
    ]);
  });

  it('applies a file larger than one batch, batch by batch, keeping row numbers', async () => {
    const invalid = new Set([200, 201, 401]);
    const rows = Array.from(
      { length: 450 },
      (_, i) => `batch${i + 1}@import.test,${invalid.has(i + 1) ? 'nope' : 'lead'}`,
    );
    const result = await runImport(`Email,Stage\n${rows.join('\n')}\n`, {
      mapping: { Email: 'email', Stage: 'lifecyclestage' },
      mode: 'create',
    });
    expect(result).toMatchObject({
      status: 'done',
      totalRows: 450,
      processedRows: 450,
      created: 447,
      failed: 3,
    });
    expect((await errorsOf(result.id)).map((e) => [e.row, e.column])).toEqual([
      [200, 'Stage'],
      [201, 'Stage'],
      [401, 'Stage'],
    ]);
    const sample = await contactsByEmail([
      'batch1@import.test',
      'batch200@import.test',
      'batch450@import.test',
    ]);
    expect(sample.map((r) => r.properties.email).sort()).toEqual([
      'batch1@import.test',
      'batch450@import.test',
    ]);
  });

  it('reads quoted fields with commas, quotes and line breaks, CRLF and a byte order mark', async () => {
    const csv =
      '\uFEFFEmail,Job title,Company\r\n' +
      'q1@import.test,"Head of Sales, EMEA","The ""Best"" Co"\r\n' +
      '\r\n' +
      'q2@import.test,"Line one\r\nLine two",Plain\r\n';
    const result = await runImport(csv, {
      mapping: { Email: 'email', 'Job title': 'jobtitle', Company: 'company' },
      mode: 'create',
    });
    expect(result).toMatchObject({ status: 'done', totalRows: 2, created: 2, failed: 0 });
    const byEmail = new Map(
      (await contactsByEmail(['q1@import.test', 'q2@import.test'])).map((r) => [
        r.properties.email,
        r.properties,
      ]),
    );
    expect(byEmail.get('q1@import.test')).toMatchObject({
      jobtitle: 'Head of Sales, EMEA',
      company: 'The "Best" Co',
    });
    expect(byEmail.get('q2@import.test')).toMatchObject({
      jobtitle: 'Line one\r\nLine two',
      company: 'Plain',
    });
  });

  it.each<{ name: string; fields: ImportFields; status: number; field?: string }>([
    {
      name: 'a mapping to an unknown property',
      fields: { mapping: { Email: 'email', 'First name': 'shoe_size' }, mode: 'create' },
      status: 422,
      field: 'mapping.First name',
    },
    {
      name: 'a mapping to a read-only property',
      fields: { mapping: { Email: 'email', Created: 'createdate' }, mode: 'create' },
      status: 422,
      field: 'mapping.Created',
    },
    {
      name: 'a mapped column missing from the header',
      fields: { mapping: { Email: 'email', Phone: 'phone' }, mode: 'create' },
      status: 422,
      field: 'mapping.Phone',
    },
    {
      name: 'a mapping that is not JSON',
      fields: { mapping: '{Email: email', mode: 'create' },
      status: 422,
      field: 'mapping',
    },
    {
      name: 'an update without a unique property',
      fields: { mapping: { Email: 'email' }, mode: 'update' },
      status: 422,
      field: 'uniqueProperty',
    },
    {
      name: 'an upsert by a property that is not unique',
      fields: {
        mapping: { 'First name': 'firstname' },
        mode: 'upsert',
        uniqueProperty: 'firstname',
      },
      status: 422,
      field: 'uniqueProperty',
    },
    {
      name: 'an unknown mode',
      fields: { mapping: { Email: 'email' }, mode: 'merge' },
      status: 422,
      field: 'mode',
    },
    {
      name: 'an unknown object type',
      fields: { objectType: 'widgets', mapping: { Email: 'email' }, mode: 'create' },
      status: 404,
    },
  ])('refuses $name and writes nothing', async ({ fields, status, field }) => {
    const before = await importCount();
    const response = await upload(
      server,
      token,
      'Email,First name,Created\nrefused@import.test,Rita,2026-01-01T00:00:00Z\n',
      { objectType: 'contacts', ...fields },
    );
    expectProblem(response, status, field === undefined ? {} : { field });
    expect(await importCount()).toBe(before);
    expect(await contactsByEmail(['refused@import.test'])).toEqual([]);
    expect(leftoverUploads()).toEqual([]);
  });

  it('refuses a request without a file, and a file that is not CSV, naming `file`', async () => {
    const noFile = await server
      .http()
      .post('/api/v1/imports')
      .auth(token, { type: 'bearer' })
      .field('objectType', 'contacts')
      .field('mapping', JSON.stringify({ Email: 'email' }))
      .field('mode', 'create');
    expectProblem(noFile, 422, { code: 'crm.import_file_missing', field: 'file' });
    const unclosed = await upload(server, token, 'Email\n"open@import.test\n', {
      objectType: 'contacts',
      mapping: { Email: 'email' },
      mode: 'create',
    });
    expectProblem(unclosed, 422, { code: 'crm.import_invalid_csv', field: 'file' });
    expect(unclosed.body.detail).not.toContain('open@import.test');
    expect(leftoverUploads()).toEqual([]);
  });

  it('refuses a member without the import privilege with 403', async () => {
    const member = await newUser(server, token);
    const response = await upload(server, member.token, 'Email\nm@import.test\n', {
      objectType: 'contacts',
      mapping: { Email: 'email' },
      mode: 'create',
    });
    expectProblem(response, 403);
    expect(
      (await server.http().get('/api/v1/imports').auth(member.token, { type: 'bearer' })).status,
    ).toBe(403);
    expect(await contactsByEmail(['m@import.test'])).toEqual([]);
  });

  it('serves the refused rows as a CSV download and lists imports page by page', async () => {
    const result = await runImport(
      'Email,Stage\ncsv1@import.test,nope\n,lead\ncsv3@import.test,lead\n',
      {
        mapping: { Email: 'email', Stage: 'lifecyclestage' },
        mode: 'upsert',
        uniqueProperty: 'email',
      },
    );
    expect(result).toMatchObject({ created: 1, failed: 2 });
    const download = await get(`/api/v1/imports/${result.id}/errors.csv`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toMatch(/^text\/csv/);
    expect(download.headers['content-disposition']).toContain(`import-${result.id}-errors.csv`);
    const lines = download.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('row,column,reason');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^1,Stage,"lifecyclestage: expected one of: subscriber, lead, .*"$/),
      '2,Email,email: is empty; it is needed to find the contact',
    ]);
    expectProblem(
      await get('/api/v1/imports/0193a6c4-7f1e-7c3a-9d1e-0000000000ff/errors.csv'),
      404,
    );
    expectProblem(await get('/api/v1/imports/not-an-id'), 422, { field: 'importId' });

    // Two more imports of this test's own: more than one page of two, whatever ran before.
    for (const email of ['page1@import.test', 'page2@import.test']) {
      await runImport(`Email\n${email}\n`, {
        mapping: { Email: 'email' },
        mode: 'upsert',
        uniqueProperty: 'email',
      });
    }
    const { pages } = await walkPages<ImportView>((after) =>
      get('/api/v1/imports', { limit: 2, after }),
    );
    const ids = pages.flat().map((i) => i.id);
    expect(ids).toContain(result.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages.length).toBeGreaterThan(1);
  });

  it('resumes an interrupted import after its last committed batch without duplicating rows', async () => {
    const emails = [1, 2, 3, 4, 5].map((n) => `resume${n}@import.test`);
    // The state a crash leaves after committing the batch of rows 1–2: those records exist,
    // the import is `running` with processedRows = 2, and its file is still on disk.
    const committed = await post('/api/v1/objects/contacts/batch/create', {
      inputs: emails.slice(0, 2).map((email) => ({ properties: { email } })),
    });
    expect(committed.status).toBe(201);
    const id = newId();
    // The folder exists once an upload made it; tests run in a random order.
    mkdirSync(importsDir(), { recursive: true });
    writeFileSync(
      join(importsDir(), `${id}.csv`),
      `Email,First name\n${emails.map((email, i) => `${email},R${i + 1}`).join('\n')}\n`,
    );
    await insertInterruptedImport(server, token, {
      id,
      mapping: { Email: 'email', 'First name': 'firstname' },
      totalRows: 5,
      processedRows: 2,
    });

    // What the server does at start.
    await expect(server.app.get(ImportWorker).resumeUnfinished()).resolves.toBe(1);

    const result = await finished(id);
    // Rows 1–2 again would have been refused as taken emails: failed = 0 shows they were skipped.
    expect(result).toMatchObject({ status: 'done', processedRows: 5, created: 5, failed: 0 });
    const contacts = await contactsByEmail(emails);
    expect(contacts.map((c) => c.properties.email).sort()).toEqual(emails);
    expect(
      contacts
        .filter((c) => c.properties.firstname !== null)
        .map((c) => c.properties.firstname)
        .sort(),
    ).toEqual(['R3', 'R4', 'R5']);
    await expect(removed(join(importsDir(), `${id}.csv`))).resolves.toBe(true);
  });

  it('refuses a file over CUSTOS_IMPORT_MAX_BYTES with 413 and writes nothing', async () => {
    const small = await startTestServer(kind, { env: { CUSTOS_IMPORT_MAX_BYTES: '64' } });
    try {
      const bearer = await small.login();
      const csv = `Email\n${Array.from({ length: 10 }, (_, i) => `big${i}@import.test`).join('\n')}\n`;
      const response = await upload(small, bearer, csv, {
        objectType: 'contacts',
        mapping: { Email: 'email' },
        mode: 'create',
      });
      expectProblem(response, 413, { code: 'crm.import_too_large' });
      expect(response.body.detail).toContain('64 bytes');
      const list = await small.http().get('/api/v1/imports').auth(bearer, { type: 'bearer' });
      expect(list.body.results).toEqual([]);
      const uploads = join(small.config.dataDir, 'imports', 'uploads');
      expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]);
      const fits = await upload(small, bearer, 'Email\nfits@import.test\n', {
        objectType: 'contacts',
        mapping: { Email: 'email' },
        mode: 'create',
      });
      expect(fits.status).toBe(202);
    } finally {
      await small.close();
    }
  });
});
