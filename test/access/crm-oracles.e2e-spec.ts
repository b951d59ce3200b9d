import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response, Test } from 'supertest';
import { newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { CrmImport } from '../../src/crm/imports/import.entity';
import { ImportWorker } from '../../src/crm/imports/import.worker';
import { expectProblem } from '../support/api';
import { startTestServer, type TestServer } from '../support/test-server';
import {
  UNKNOWN_ID,
  contactEmail,
  expectStatus,
  Setup,
  unique,
  type Caller,
  type RecordView,
} from './access-support';

const READ_ACCOUNT = { objectType: 'contacts', action: 'read', level: 'account' };
const WRITE_ACCOUNT = [
  READ_ACCOUNT,
  { objectType: 'contacts', action: 'create', level: 'account' },
  { objectType: 'contacts', action: 'update', level: 'account' },
];
/** Creates contacts anywhere but reads and updates only their own. */
const WRITE_OWN = [
  { objectType: 'contacts', action: 'read', level: 'own' },
  { objectType: 'contacts', action: 'create', level: 'account' },
  { objectType: 'contacts', action: 'update', level: 'own' },
];
const SUPER_ADMINS_ONLY = [{ type: 'super_admins' }];

interface ImportView {
  id: string;
  status: string;
  processedRows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

interface ImportErrorView {
  row: number;
  column: string | null;
  reason: string;
}

interface AttachmentView {
  id: string;
  property: string | null;
}

interface SubmissionView {
  id: string;
  status: string;
  recordId: string | null;
}

/** A property name unique in this run (property names take lowercase letters, digits and `_`). */
const propertyName = (prefix: string) => unique(prefix).replace(/-/g, '_');

/**
 * Status and body of a response without what names the request (its path and id), to compare a
 * refusal with the answer for a missing thing.
 */
const answer = (response: Response) => ({
  status: response.status,
  body: Object.fromEntries(
    Object.entries((response.body ?? {}) as Record<string, unknown>).filter(
      ([key]) => key !== 'instance' && key !== 'requestId',
    ),
  ),
});

/**
 * Each scenario is one way a hostile insider with one delegated privilege (`import`,
 * `manage_properties`) or plain read access learned what their access hides (issue 10, classes 8,
 * 10 and 12); each must fail on the code before the fix.
 */
describe.each(testDatabaseKinds())('CRM oracles: imports, form log, files on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let admin: Caller;

  beforeAll(async () => {
    server = await startTestServer(kind);
    setup = new Setup(server, await server.login());
    admin = setup.admin;
  });

  afterAll(async () => {
    await server?.close();
  });

  const importAs = (caller: Caller, csv: string, fields: Record<string, string>): Test => {
    let req = caller.upload('/api/v1/imports').field('objectType', 'contacts');
    for (const [name, value] of Object.entries(fields)) {
      req = req.field(name, value);
    }
    return req.attach('file', Buffer.from(csv, 'utf8'), {
      filename: 'contacts.csv',
      contentType: 'text/csv',
    });
  };

  async function finished(caller: Caller, id: string): Promise<ImportView> {
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const view = expectStatus(await caller.get(`/api/v1/imports/${id}`), 200).body as ImportView;
      if (view.status === 'done' || view.status === 'failed') {
        return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`import ${id} did not finish`);
  }

  async function runImport(
    caller: Caller,
    csv: string,
    fields: Record<string, string>,
  ): Promise<{ view: ImportView; errors: ImportErrorView[] }> {
    const started = expectStatus(await importAs(caller, csv, fields), 202).body as ImportView;
    const view = await finished(caller, started.id);
    const errors = expectStatus(
      await caller.get(`/api/v1/imports/${view.id}/errors`, { limit: 100 }),
      200,
    ).body.results as ImportErrorView[];
    return { view, errors };
  }

  describe('class 8: an import keyed on a hidden property is an oracle', () => {
    let badge: string;
    let secretCode: string;
    let importer: Awaited<ReturnType<Setup['userWithRole']>>;
    /** Owned by the admin: the importer may neither read nor update it. */
    let invisible: RecordView;

    beforeAll(async () => {
      badge = propertyName('badge');
      secretCode = propertyName('secret_code');
      for (const name of [badge, secretCode]) {
        expectStatus(
          await admin.post('/api/v1/properties/contacts', {
            name,
            label: name,
            type: 'string',
            unique: true,
          }),
          201,
        );
      }
      await setup.fieldPermissions('contacts', secretCode, {
        view: SUPER_ADMINS_ONLY,
        edit: SUPER_ADMINS_ONLY,
      });
      importer = await setup.userWithRole({ privileges: WRITE_OWN, taskPrivileges: ['import'] });
      invisible = await setup.contact({ [badge]: unique('held'), [secretCode]: unique('code') });
    });

    it('refuses an update keyed on a property the importer may not read with 403 naming uniqueProperty', async () => {
      const response = await importAs(
        importer.caller,
        `Email,Code\r\n${contactEmail()},${String(invisible.properties[secretCode])}\r\n`,
        {
          mapping: JSON.stringify({ Email: 'email', Code: secretCode }),
          mode: 'update',
          uniqueProperty: secretCode,
        },
      );
      expectProblem(response, 403, {
        code: 'crm.import_key_not_readable',
        field: 'uniqueProperty',
      });
    });

    it('refuses an upsert keyed on a property the importer may not read with 403 naming uniqueProperty', async () => {
      const response = await importAs(
        importer.caller,
        `Email,Code\r\n${contactEmail()},${unique('guess')}\r\n`,
        {
          mapping: JSON.stringify({ Email: 'email', Code: secretCode }),
          mode: 'upsert',
          uniqueProperty: secretCode,
        },
      );
      expectProblem(response, 403, {
        code: 'crm.import_key_not_readable',
        field: 'uniqueProperty',
      });
    });

    it('fails a queued import keyed on a property the importer may no longer read, applying no row', async () => {
      // An import queued while the key was readable (a crash or restart in between): the worker
      // checks again before the first row.
      const id = newId();
      // The folder exists only once an import was uploaded, which another test may or may not have done.
      mkdirSync(join(server.config.dataDir, 'imports'), { recursive: true });
      writeFileSync(
        join(server.config.dataDir, 'imports', `${id}.csv`),
        `Code,First name\n${String(invisible.properties[secretCode])},Probe\n`,
      );
      const now = new Date();
      await server.dataSource.getRepository(CrmImport).insert({
        id,
        accountId: server.accountId,
        objectType: 'contacts',
        mode: 'update',
        uniqueProperty: secretCode,
        mapping: { Code: secretCode, 'First name': 'firstname' },
        fileName: 'queued.csv',
        fileBytes: 100,
        status: 'pending',
        totalRows: 1,
        processedRows: 0,
        rowsCreated: 0,
        rowsUpdated: 0,
        rowsUnchanged: 0,
        rowsFailed: 0,
        actor: {
          kind: 'user',
          id: importer.id,
          userId: importer.id,
          label: importer.email,
          superAdmin: false,
        },
        error: null,
        createdAt: now,
        updatedAt: now,
        startedAt: null,
        finishedAt: null,
      });
      await server.app.get(ImportWorker).resumeUnfinished();
      const view = await finished(importer.caller, id);
      expect(view).toMatchObject({ status: 'failed', processedRows: 0, failed: 0 });
    });

    it('reports an update row matching an invisible record exactly like one matching no record', async () => {
      const { view, errors } = await runImport(
        importer.caller,
        `Badge,First name\r\n${String(invisible.properties[badge])},Probe\r\n${unique('nobody')},Probe\r\n`,
        {
          mapping: JSON.stringify({ Badge: badge, 'First name': 'firstname' }),
          mode: 'update',
          uniqueProperty: badge,
        },
      );
      expect(view).toMatchObject({ status: 'done', created: 0, updated: 0, failed: 2 });
      const noRecord = { column: 'Badge', reason: errors[1]?.reason };
      expect(errors).toEqual([
        { row: 1, ...noRecord },
        { row: 2, ...noRecord },
      ]);
    });

    it('reports an update row matching an archived record the importer may not read like no record', async () => {
      const archived = await setup.contact({ [badge]: unique('archived') });
      expectStatus(await admin.delete(`/api/v1/objects/contacts/${archived.id}`), 204);
      const { errors } = await runImport(
        importer.caller,
        `Badge,First name\r\n${String(archived.properties[badge])},Probe\r\n${unique('nobody')},Probe\r\n`,
        {
          mapping: JSON.stringify({ Badge: badge, 'First name': 'firstname' }),
          mode: 'update',
          uniqueProperty: badge,
        },
      );
      expect(errors.map((e) => e.reason)).toEqual([errors[1].reason, errors[1].reason]);
    });

    it('gives an upsert row whose value only an invisible record holds the unique-value conflict of a records API create', async () => {
      const value = String(invisible.properties[badge]);
      const created = await importer.caller.post('/api/v1/objects/contacts', {
        properties: { email: contactEmail(), [badge]: value },
      });
      const conflict = (created.body as { errors: { message: string }[] }).errors[0].message;
      const { view, errors } = await runImport(
        importer.caller,
        `Email,Badge\r\n${contactEmail()},${value}\r\n`,
        {
          mapping: JSON.stringify({ Email: 'email', Badge: badge }),
          mode: 'upsert',
          uniqueProperty: badge,
        },
      );
      expect({ status: created.status, view, errors }).toEqual({
        status: 409,
        view: expect.objectContaining({ created: 0, updated: 0, unchanged: 0, failed: 1 }),
        errors: [{ row: 1, column: 'Badge', reason: `${badge}: ${conflict}` }],
      });
    });

    it('leaves the invisible record untouched by the probing imports', async () => {
      const record = expectStatus(await admin.get(`/api/v1/objects/contacts/${invisible.id}`), 200)
        .body as RecordView;
      expect(record.properties.firstname).toBeNull();
    });
  });

  describe("class 12: every holder of import sees others' imports and their row errors", () => {
    let creator: Awaited<ReturnType<Setup['userWithRole']>>;
    let other: Awaited<ReturnType<Setup['userWithRole']>>;
    let theirs: ImportView;

    beforeAll(async () => {
      creator = await setup.userWithRole({ privileges: WRITE_ACCOUNT, taskPrivileges: ['import'] });
      other = await setup.userWithRole({ privileges: WRITE_ACCOUNT, taskPrivileges: ['import'] });
      ({ view: theirs } = await runImport(
        creator.caller,
        `Email,Stage\r\n${contactEmail()},not-a-stage\r\n`,
        { mapping: JSON.stringify({ Email: 'email', Stage: 'lifecyclestage' }), mode: 'create' },
      ));
    });

    it.each(['', '/errors', '/errors.csv'])(
      "answers another import holder 404 for someone else's import%s, as for one that does not exist",
      async (suffix) => {
        const foreign = await other.caller.get(`/api/v1/imports/${theirs.id}${suffix}`);
        const missing = await other.caller.get(`/api/v1/imports/${UNKNOWN_ID}${suffix}`);
        expect(answer(foreign)).toEqual(answer(missing));
      },
    );

    it("leaves someone else's imports out of another import holder's list", async () => {
      const listed = expectStatus(await other.caller.get('/api/v1/imports', { limit: 100 }), 200)
        .body.results as ImportView[];
      expect(listed.map((i) => i.id)).not.toContain(theirs.id);
    });

    it('shows every import and its row errors to a super admin in person', async () => {
      const listed = expectStatus(await admin.get('/api/v1/imports', { limit: 100 }), 200).body
        .results as ImportView[];
      const errors = expectStatus(await admin.get(`/api/v1/imports/${theirs.id}/errors`), 200).body
        .results as ImportErrorView[];
      expect({ listed: listed.map((i) => i.id), errors: errors.length }).toEqual({
        listed: expect.arrayContaining([theirs.id]),
        errors: 1,
      });
    });
  });

  describe('class 12: the form submission log shows ids of records the reader cannot read', () => {
    let formId: string;

    beforeAll(async () => {
      formId = (
        expectStatus(
          await admin.post('/api/v1/forms', {
            name: unique('form'),
            objectType: 'contacts',
            fields: [{ property: 'email', required: true }],
          }),
          201,
        ).body as { id: string }
      ).id;
      expectStatus(
        await server
          .http()
          .post(`/api/v1/forms/${formId}/submissions`)
          .send({ fields: { email: contactEmail('form') } }),
        202,
      );
    });

    const logOf = async (caller: Caller) =>
      expectStatus(await caller.get(`/api/v1/forms/${formId}/submissions`), 200).body
        .results as SubmissionView[];

    it('shows null in place of the record id to a form manager who may not read the record', async () => {
      const manager = await setup.userWithRole({
        privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
        taskPrivileges: ['manage_properties'],
      });
      const [full] = await logOf(admin);
      expect(await logOf(manager.caller)).toEqual([{ ...full, recordId: null }]);
    });

    it('shows the record id to a form manager who may read the record', async () => {
      const manager = await setup.userWithRole({
        privileges: [READ_ACCOUNT],
        taskPrivileges: ['manage_properties'],
      });
      const [full] = await logOf(admin);
      expect({ full: full.recordId, shown: await logOf(manager.caller) }).toEqual({
        full: expect.any(String),
        shown: [full],
      });
    });
  });

  describe("class 10: a hidden file property's file is downloadable", () => {
    let resume: string;
    let contact: RecordView;
    let held: AttachmentView;
    let loose: AttachmentView;
    let reader: Awaited<ReturnType<Setup['userWithRole']>>;
    let writer: Awaited<ReturnType<Setup['userWithRole']>>;

    const attach = async (record: { id: string }, content: string): Promise<AttachmentView> =>
      expectStatus(
        await admin
          .upload(`/api/v1/objects/contacts/${record.id}/attachments`)
          .attach('file', Buffer.from(content, 'utf8'), {
            filename: 'cv.txt',
            contentType: 'text/plain',
          }),
        201,
      ).body as AttachmentView;

    const listOf = async (caller: Caller, record: { id: string }) =>
      (
        expectStatus(await caller.get(`/api/v1/objects/contacts/${record.id}/attachments`), 200)
          .body.results as AttachmentView[]
      ).map((a) => a.id);

    beforeAll(async () => {
      resume = propertyName('resume');
      expectStatus(
        await admin.post('/api/v1/properties/contacts', {
          name: resume,
          label: 'Resume',
          type: 'file',
        }),
        201,
      );
      await setup.fieldPermissions('contacts', resume, {
        view: SUPER_ADMINS_ONLY,
        edit: SUPER_ADMINS_ONLY,
      });
      reader = await setup.userWithRole({ privileges: [READ_ACCOUNT] });
      writer = await setup.userWithRole({ privileges: WRITE_ACCOUNT });
      contact = await setup.contact();
      held = await attach(contact, 'hidden curriculum');
      loose = await attach(contact, 'a file no property holds');
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${contact.id}`, {
          properties: { [resume]: held.id },
        }),
        200,
      );
    });

    it('ties the file to the property whose value it became', async () => {
      const view = expectStatus(await admin.get(`/api/v1/attachments/${held.id}`), 200)
        .body as AttachmentView;
      expect(view.property).toBe(resume);
    });

    it("leaves a file held by a property the reader may not read out of the record's list", async () => {
      await expect(listOf(reader.caller, contact)).resolves.toEqual([loose.id]);
    });

    it.each(['', '/content'])(
      'answers 404 for a hidden file%s, as for one that does not exist',
      async (suffix) => {
        const hidden = await reader.caller.get(`/api/v1/attachments/${held.id}${suffix}`);
        const missing = await reader.caller.get(`/api/v1/attachments/${UNKNOWN_ID}${suffix}`);
        expect(answer(hidden)).toEqual(answer(missing));
      },
    );

    it('answers 404 to deleting a hidden file, as for one that does not exist, and keeps it', async () => {
      const hidden = await writer.caller.delete(`/api/v1/attachments/${held.id}`);
      const missing = await writer.caller.delete(`/api/v1/attachments/${UNKNOWN_ID}`);
      expect({
        refusal: answer(hidden),
        kept: (await admin.get(`/api/v1/attachments/${held.id}`)).status,
      }).toEqual({ refusal: answer(missing), kept: 200 });
    });

    it('keeps serving a file no property holds as before', async () => {
      const response = await reader.caller.get(`/api/v1/attachments/${loose.id}/content`);
      expect({ status: response.status, text: response.text }).toEqual({
        status: 200,
        text: 'a file no property holds',
      });
    });

    it('hides a file uploaded for a hidden property from the upload on, before any record write', async () => {
      const record = await setup.contact();
      const file = expectStatus(
        await admin
          .upload(`/api/v1/objects/contacts/${record.id}/attachments`)
          .field('property', resume)
          .attach('file', Buffer.from('uploaded for the property', 'utf8'), {
            filename: 'cv.txt',
            contentType: 'text/plain',
          }),
        201,
      ).body as AttachmentView;
      expect({ property: file.property, reader: await listOf(reader.caller, record) }).toEqual({
        property: resume,
        reader: [],
      });
    });

    it('refuses an upload for a file property the uploader may not edit with 403 naming property', async () => {
      const response = await writer.caller
        .upload(`/api/v1/objects/contacts/${contact.id}/attachments`)
        .field('property', resume)
        .attach('file', Buffer.from('not mine to file', 'utf8'), {
          filename: 'cv.txt',
          contentType: 'text/plain',
        });
      expectProblem(response, 403, { code: 'crm.field_not_editable', field: 'property' });
    });

    it('destroys the files of a deleted file property for everyone', async () => {
      const scan = propertyName('scan');
      expectStatus(
        await admin.post('/api/v1/properties/contacts', {
          name: scan,
          label: 'Scan',
          type: 'file',
        }),
        201,
      );
      const record = await setup.contact();
      const file = await attach(record, 'scan of a hidden property');
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${record.id}`, {
          properties: { [scan]: file.id },
        }),
        200,
      );
      expectStatus(await admin.delete(`/api/v1/properties/contacts/${scan}`), 204);
      expect({
        admin: await listOf(admin, record),
        reader: await listOf(reader.caller, record),
        content: (await admin.get(`/api/v1/attachments/${file.id}/content`)).status,
      }).toEqual({ admin: [], reader: [], content: 404 });
    });

    it("hides a file sent through a form's file field from readers of the record who may not read the field", async () => {
      const formId = (
        expectStatus(
          await admin.post('/api/v1/forms', {
            name: unique('form'),
            objectType: 'contacts',
            fields: [
              { property: 'email', required: true },
              { property: resume, required: false },
            ],
          }),
          201,
        ).body as { id: string }
      ).id;
      expectStatus(
        await server
          .http()
          .post(`/api/v1/forms/${formId}/submissions`)
          .field('fields[email]', contactEmail('form-file'))
          .attach(`files[${resume}]`, Buffer.from('submitted curriculum', 'utf8'), {
            filename: 'cv.txt',
            contentType: 'text/plain',
          }),
        202,
      );
      const [submission] = expectStatus(await admin.get(`/api/v1/forms/${formId}/submissions`), 200)
        .body.results as SubmissionView[];
      const record = { id: submission.recordId! };
      expect({
        admin: (await listOf(admin, record)).length,
        reader: await listOf(reader.caller, record),
      }).toEqual({ admin: 1, reader: [] });
    });
  });
});
