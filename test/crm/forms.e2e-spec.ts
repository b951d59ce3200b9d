import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, expectProblem, newAccount } from '../support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from '../support/test-server';
import { Setup, callerOf, expectStatus, type Caller } from '../access/access-support';
import {
  CRM_VALUE_TABLES,
  createProperty,
  rawDatabaseText as rawText,
  uniqueName,
} from './crm-support';

/** A sensitive value that must never be stored, logged or answered in clear. */
const CANARY = 'CANARY-4b1d-form-sensitive';
/** A plain value that the public answer must never echo. */
const PLAIN_CANARY = 'PLAINCANARY-form-echo';
const SUBMISSIONS_PER_IP = 5;
/** The attachment limit of this suite's server, which form files share. */
const FILE_LIMIT = 64 * 1024;

const READ_CONTACTS = [{ objectType: 'contacts', action: 'read', level: 'account' }];
const ALL_ON_CONTACTS = ['read', 'create', 'update', 'delete'].map((action) => ({
  objectType: 'contacts',
  action,
  level: 'account',
}));

interface FormView {
  id: string;
  name: string;
  objectType: string;
  fields: { property: string; label: string | null; required: boolean }[];
  notify: string[];
  active: boolean;
  submitUrl: string;
}

interface SubmissionView {
  id: string;
  submittedAt: string;
  status: 'created' | 'failed';
  recordId: string | null;
  errorCode?: string;
}

interface NotificationView {
  id: string;
  kind: string;
  readAt: string | null;
  form: { id: string; name: string };
  submissionId: string;
  objectType: string;
  recordAccessible: boolean;
  record?: {
    id: string;
    properties: Record<string, unknown>;
    redacted: string[];
    masked?: string[];
  };
}

let ipCounter = 0;
/** A client address of its own, so that tests do not share a throttling window. */
function freshIp(): string {
  ipCounter += 1;
  return `203.0.113.${ipCounter}`;
}

describe.each(testDatabaseKinds())('CRM forms on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let admin: Caller;
  let setup: Setup;
  let nationalId: string;
  let diagnosis: string;
  let secretNote: string;
  let restricted: string;
  /** Reads contacts and the national id. */
  let reader: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads contacts but not the national id (field permissions). */
  let noField: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads no contacts at all. */
  let noRecord: Awaited<ReturnType<Setup['user']>>;
  /** Holds manage_properties and may work on contacts, but is no super admin. */
  let manager: Awaited<ReturnType<Setup['userWithRole']>>;

  function submit(formId: string, fields: Record<string, unknown>, ip = freshIp()) {
    return server
      .http()
      .post(`/api/v1/forms/${formId}/submissions`)
      .set('X-Forwarded-For', ip)
      .send({ fields });
  }

  async function createForm(body: Record<string, unknown>, as: Caller = admin): Promise<FormView> {
    return expectStatus(await as.post('/api/v1/forms', body), 201).body as FormView;
  }

  async function submissions(formId: string): Promise<SubmissionView[]> {
    return (
      expectStatus(await admin.get(`/api/v1/forms/${formId}/submissions`), 200).body as {
        results: SubmissionView[];
      }
    ).results;
  }

  async function notificationsOf(caller: Caller): Promise<NotificationView[]> {
    return (
      expectStatus(await caller.get('/api/v1/me/notifications'), 200).body as {
        results: NotificationView[];
      }
    ).results;
  }

  /** Every text of the rows that could hold a submitted value, and (SQLite) the database file. */
  const rawDatabaseText = () =>
    rawText(server, [
      ...CRM_VALUE_TABLES,
      'crm_form',
      'crm_form_submission',
      'custos_notification',
    ]);

  beforeAll(async () => {
    server = await startTestServer(kind, {
      env: {
        CUSTOS_TRUST_PROXY: 'true',
        CUSTOS_FORM_SUBMISSIONS_PER_IP: String(SUBMISSIONS_PER_IP),
        CUSTOS_ATTACHMENT_MAX_BYTES: String(FILE_LIMIT),
      },
    });
    adminToken = await server.login();
    admin = callerOf(server, adminToken);
    setup = new Setup(server, adminToken);
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['health_data', 'government_identifiers'],
        acceptTerms: true,
      }),
      200,
    );
    nationalId = uniqueName('national_id');
    diagnosis = uniqueName('diagnosis');
    secretNote = uniqueName('secret_note');
    restricted = uniqueName('restricted');
    await createProperty(admin, 'contacts', {
      name: nationalId,
      label: 'National ID',
      type: 'string',
      sensitivity: { access: 'everyone' },
    });
    await createProperty(admin, 'contacts', {
      name: diagnosis,
      label: 'Diagnosis',
      type: 'string',
      sensitivity: { phi: true, highlySensitive: true },
    });
    await createProperty(admin, 'contacts', {
      name: secretNote,
      label: 'Secret note',
      type: 'string',
      sensitivity: { access: 'super_admins' },
    });
    await createProperty(admin, 'contacts', {
      name: restricted,
      label: 'Restricted',
      type: 'string',
    });
    reader = await setup.userWithRole({ privileges: READ_CONTACTS });
    noField = await setup.userWithRole({ privileges: READ_CONTACTS });
    noRecord = await setup.user();
    manager = await setup.userWithRole({
      privileges: ALL_ON_CONTACTS,
      taskPrivileges: ['manage_properties'],
    });
    await setup.fieldPermissions('contacts', nationalId, {
      view: [{ type: 'user', id: reader.id }, { type: 'super_admins' }],
      edit: [{ type: 'super_admins' }],
    });
    await setup.fieldPermissions('contacts', restricted, {
      view: [{ type: 'everyone' }],
      edit: [{ type: 'super_admins' }],
    });
  });

  afterAll(async () => server.close());

  describe('definitions', () => {
    it('creates, reads, lists, updates and deletes a form, auditing each change', async () => {
      const form = await createForm({
        name: 'Contact us',
        objectType: 'contacts',
        fields: [
          { property: 'email', label: 'Your email', required: true },
          { property: 'firstname' },
        ],
        notify: [reader.id],
      });
      expect(form).toMatchObject({
        name: 'Contact us',
        objectType: 'contacts',
        fields: [
          { property: 'email', label: 'Your email', required: true },
          { property: 'firstname', label: null, required: false },
        ],
        notify: [reader.id],
        active: true,
        submitUrl: `/api/v1/forms/${form.id}/submissions`,
      });
      expect(expectStatus(await admin.get(`/api/v1/forms/${form.id}`), 200).body).toEqual(form);
      const updated = expectStatus(
        await admin.patch(`/api/v1/forms/${form.id}`, { name: 'Talk to us', active: false }),
        200,
      ).body as FormView;
      expect(updated).toMatchObject({ name: 'Talk to us', active: false, fields: form.fields });
      expectStatus(await admin.delete(`/api/v1/forms/${form.id}`), 204);
      expectProblem(await admin.get(`/api/v1/forms/${form.id}`), 404, {
        code: 'crm.form_not_found',
      });
      const events = await auditEvents(server, adminToken, { targetId: form.id });
      expect(events.map((e) => e.action)).toEqual(['form.deleted', 'form.updated', 'form.created']);
      expect(events[2].metadata).toMatchObject({
        after: { name: 'Contact us', fields: ['email', 'firstname'], notify: [reader.id] },
      });
    });

    it('lists forms with cursor pagination', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        ids.push(
          (
            await createForm({
              name: `Paged ${i}`,
              objectType: 'contacts',
              fields: [{ property: 'email' }],
            })
          ).id,
        );
      }
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = expectStatus(
          await admin.get('/api/v1/forms', { limit: 2, ...(after ? { after } : {}) }),
          200,
        ).body as { results: FormView[]; paging: { next?: { after: string } } };
        expect(page.results.length).toBeLessThanOrEqual(2);
        seen.push(...page.results.map((f) => f.id));
        after = page.paging.next?.after;
      } while (after !== undefined);
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it.each([
      [{ objectType: 'contacts', fields: [{ property: 'email' }] }, 'name'],
      [{ name: 'F', objectType: 'tickets', fields: [{ property: 'email' }] }, 'objectType'],
      [{ name: 'F', objectType: 'contacts', fields: [] }, 'fields'],
      [
        { name: 'F', objectType: 'contacts', fields: [{ property: 'nope_nothing' }] },
        'fields[0].property',
      ],
      [
        {
          name: 'F',
          objectType: 'contacts',
          fields: [{ property: 'email' }, { property: 'email' }],
        },
        'fields[1].property',
      ],
      [
        { name: 'F', objectType: 'contacts', fields: [{ property: 'createdate' }] },
        'fields[0].property',
      ],
      [
        { name: 'F', objectType: 'contacts', fields: [{ property: 'owner_id' }] },
        'fields[0].property',
      ],
      [
        {
          name: 'F',
          objectType: 'contacts',
          fields: [{ property: 'email' }],
          notify: ['0193a6c4-7f1e-7c3a-9d1e-0000000000ff'],
        },
        'notify[0]',
      ],
    ])('refuses bad input with 422 naming the field (%#)', async (body, field) => {
      expectProblem(await admin.post('/api/v1/forms', body), 422, { field });
    });

    it('requires every required property of the type on the form', async () => {
      const required = uniqueName('required_deal');
      await createProperty(admin, 'deals', {
        name: required,
        label: 'Required',
        type: 'string',
        required: true,
      });
      expectProblem(
        await admin.post('/api/v1/forms', {
          name: 'Deal form',
          objectType: 'deals',
          fields: [{ property: 'dealname' }],
        }),
        422,
        { code: 'crm.form_missing_required_property', field: 'fields' },
      );
      const form = await createForm({
        name: 'Deal form',
        objectType: 'deals',
        fields: [{ property: 'dealname' }, { property: required }],
      });
      expect(form.fields[1]).toMatchObject({ property: required, required: true });
    });

    it('refuses members without manage_properties with 403', async () => {
      const member = callerOf(server, noRecord.token);
      expectProblem(await member.get('/api/v1/forms'), 403);
      expectProblem(
        await member.post('/api/v1/forms', {
          name: 'F',
          objectType: 'contacts',
          fields: [{ property: 'email' }],
        }),
        403,
      );
    });

    it('bounds a form by its saver: fields they may edit, sensitive ones for super admins only', async () => {
      const form = await createForm(
        { name: 'By manager', objectType: 'contacts', fields: [{ property: 'email' }] },
        manager.caller,
      );
      expectProblem(
        await manager.caller.post('/api/v1/forms', {
          name: 'F',
          objectType: 'contacts',
          fields: [{ property: 'email' }, { property: restricted }],
        }),
        403,
        { code: 'crm.field_not_editable', field: 'fields[1].property' },
      );
      expectProblem(
        await manager.caller.patch(`/api/v1/forms/${form.id}`, {
          fields: [{ property: nationalId }],
        }),
        403,
        { code: 'crm.form_sensitive_super_admin_only', field: 'fields[0].property' },
      );
      const viaAdmin = await createForm({
        name: 'Sensitive by admin',
        objectType: 'contacts',
        fields: [{ property: nationalId }, { property: restricted }],
      });
      expect(viaAdmin.fields.map((f) => f.property)).toEqual([nationalId, restricted]);
    });

    it('refuses a form for an object type its saver may not create', async () => {
      const readOnlyManager = await setup.userWithRole({
        privileges: READ_CONTACTS,
        taskPrivileges: ['manage_properties'],
      });
      expectProblem(
        await readOnlyManager.caller.post('/api/v1/forms', {
          name: 'F',
          objectType: 'contacts',
          fields: [{ property: 'email' }],
        }),
        403,
        { code: 'crm.form_create_forbidden', field: 'objectType' },
      );
    });

    it('keeps a property a form collects from being deleted until it is taken off the form', async () => {
      const hobby = uniqueName('hobby');
      await createProperty(admin, 'contacts', { name: hobby, label: 'Hobby', type: 'string' });
      const form = await createForm({
        name: 'Hobbies',
        objectType: 'contacts',
        fields: [{ property: 'email' }, { property: hobby }],
      });
      const refused = await admin.delete(`/api/v1/properties/contacts/${hobby}`);
      expectProblem(refused, 409, { code: 'crm.property_on_form' });
      expect(refused.body).toMatchObject({ forms: [form.id] });
      expectStatus(await admin.get(`/api/v1/properties/contacts/${hobby}`), 200);
      expectStatus(
        await admin.patch(`/api/v1/forms/${form.id}`, { fields: [{ property: 'email' }] }),
        200,
      );
      expectStatus(await admin.delete(`/api/v1/properties/contacts/${hobby}`), 204);
    });

    it('answers a form of another account with 404', async () => {
      const form = await createForm({
        name: 'Mine',
        objectType: 'contacts',
        fields: [{ property: 'email' }],
      });
      const other = await newAccount(server, adminToken, uniqueName('Other'), {
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      const otherAdmin = callerOf(server, other.token);
      expectProblem(await otherAdmin.get(`/api/v1/forms/${form.id}`), 404);
      expectProblem(await otherAdmin.get(`/api/v1/forms/${form.id}/submissions`), 404);
      expectProblem(await otherAdmin.delete(`/api/v1/forms/${form.id}`), 404);
    });
  });

  describe('public submissions and notifications', () => {
    let form: FormView;
    let recordId: string;
    let answer: Response;

    beforeAll(async () => {
      form = await createForm({
        name: 'Patient intake',
        objectType: 'contacts',
        fields: [
          { property: 'email', required: true },
          { property: 'firstname' },
          { property: nationalId },
          { property: diagnosis },
          { property: secretNote },
        ],
        notify: [reader.id, noField.id, noRecord.id],
      });
      answer = await submit(form.id, {
        email: `intake.${Date.now()}@forms.test`,
        firstname: PLAIN_CANARY,
        [nationalId]: `${CANARY}-id`,
        [diagnosis]: `${CANARY}-diagnosis`,
        [secretNote]: `${CANARY}-note`,
      });
      const [submission] = await submissions(form.id);
      recordId = submission.recordId!;
    });

    /** The caller's notification of that submission (other tests notify some of them too). */
    const notificationOf = async (caller: Caller) =>
      (await notificationsOf(caller)).filter((n) => n.form.id === form.id);

    it('accepts without credentials with 202, no record id and no echo of values', () => {
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ status: 'accepted' });
      expect(answer.text).not.toContain(CANARY);
      expect(answer.text).not.toContain(PLAIN_CANARY);
      expect(answer.text).not.toContain(recordId);
    });

    it('logs the submission for admins, without values', async () => {
      const log = await submissions(form.id);
      expect(log).toEqual([
        { id: expect.any(String), submittedAt: expect.any(String), status: 'created', recordId },
      ]);
    });

    it('creates the record with history source form, as the form and not as a person', async () => {
      const record = expectStatus(await admin.get(`/api/v1/objects/contacts/${recordId}`), 200)
        .body as { properties: Record<string, unknown>; masked?: string[] };
      expect(record.properties).toMatchObject({
        firstname: PLAIN_CANARY,
        [nationalId]: `${CANARY}-id`,
        [secretNote]: `${CANARY}-note`,
      });
      expect(record.masked).toEqual([diagnosis]);
      const history = expectStatus(
        await admin.get(`/api/v1/objects/contacts/${recordId}/history`),
        200,
      ).body as { results: { source: string; actor: { kind: string; id: string } }[] };
      expect(history.results.length).toBeGreaterThan(0);
      for (const entry of history.results) {
        expect(entry).toMatchObject({
          source: 'form',
          actor: { kind: 'system', id: `form:${form.id}` },
        });
      }
      const [created] = await auditEvents(server, adminToken, {
        action: 'record.created',
        targetId: recordId,
      });
      expect(created.actor).toMatchObject({ kind: 'system', label: `form:${form.id}` });
    });

    it('stores no sensitive value in clear: raw rows, the SQLite file, logs', async () => {
      const rows = await server.dataSource.query<Record<string, unknown>[]>(
        kind === 'postgres'
          ? 'SELECT * FROM crm_contact WHERE id = $1'
          : 'SELECT * FROM crm_contact WHERE id = ?',
        [recordId],
      );
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows[0])).not.toContain(CANARY);
      expect(await rawDatabaseText()).not.toContain(CANARY);
      expect(server.logs.join('\n')).not.toContain(CANARY);
      expect(server.logs.join('\n')).not.toContain(PLAIN_CANARY);
    });

    it('writes no sensitive_data.viewed event for the submission itself', async () => {
      const viewed = await auditEvents(server, adminToken, { action: 'sensitive_data.viewed' });
      expect(
        viewed.filter(
          (e) =>
            (e.metadata.recordIds as string[] | undefined)?.includes(recordId) &&
            e.actor.kind !== 'user',
        ),
      ).toEqual([]);
    });

    it('shows a reader allowed to decrypt the sensitive values, and audits the view without values', async () => {
      const [notification] = await notificationOf(reader.caller);
      expect(notification).toMatchObject({
        kind: 'form_submission',
        readAt: null,
        form: { id: form.id, name: 'Patient intake' },
        objectType: 'contacts',
        recordAccessible: true,
        record: {
          id: recordId,
          properties: { firstname: PLAIN_CANARY, [nationalId]: `${CANARY}-id` },
          masked: [diagnosis],
        },
      });
      expect(notification.record!.redacted).toEqual([secretNote]);
      expect(notification.record!.properties).not.toHaveProperty(diagnosis);
      const viewed = await auditEvents(server, adminToken, { action: 'sensitive_data.viewed' });
      const byReader = viewed.find((e) => e.actor.id === reader.id);
      expect(byReader?.metadata).toEqual({ recordIds: [recordId], properties: [nationalId] });
      expect(JSON.stringify(viewed)).not.toContain(CANARY);
    });

    it('lists a field the recipient may not read in redacted', async () => {
      const [notification] = await notificationOf(callerOf(server, noField.token));
      expect(notification.recordAccessible).toBe(true);
      expect(notification.record!.redacted).toEqual(
        expect.arrayContaining([nationalId, secretNote]),
      );
      expect(notification.record!.properties).not.toHaveProperty(nationalId);
      expect(JSON.stringify(notification)).not.toContain(CANARY);
    });

    it('shows a recipient who may not read the record the notification without any value', async () => {
      const [notification] = await notificationOf(callerOf(server, noRecord.token));
      expect(notification).toMatchObject({ form: { id: form.id }, recordAccessible: false });
      expect(notification).not.toHaveProperty('record');
      expect(JSON.stringify(notification)).not.toContain(CANARY);
      expect(JSON.stringify(notification)).not.toContain(PLAIN_CANARY);
    });

    it('keeps notifications per recipient and marks them read', async () => {
      const marked = await createForm({
        name: 'Marked read',
        objectType: 'contacts',
        fields: [{ property: 'firstname' }],
        notify: [reader.id, noRecord.id],
      });
      expectStatus(await submit(marked.id, { firstname: 'Read me' }), 202);
      const [ofReader] = await notificationsOf(reader.caller);
      const other = callerOf(server, noRecord.token);
      expect((await notificationsOf(other)).map((n) => n.id)).not.toContain(ofReader.id);
      expect(await notificationsOf(manager.caller)).toEqual([]);
      expectProblem(await other.post(`/api/v1/me/notifications/${ofReader.id}/read`), 404);
      expectStatus(await reader.caller.post(`/api/v1/me/notifications/${ofReader.id}/read`), 204);
      const [again] = await notificationsOf(reader.caller);
      expect(again.readAt).toEqual(expect.any(String));
    });

    it("pages through a recipient's notifications newest first", async () => {
      const paged = await createForm({
        name: 'Paged notifications',
        objectType: 'contacts',
        fields: [{ property: 'firstname' }],
        notify: [noRecord.id],
      });
      for (let i = 0; i < 3; i += 1) {
        expectStatus(await submit(paged.id, { firstname: `Paged ${i}` }), 202);
      }
      const caller = callerOf(server, noRecord.token);
      const all = await notificationsOf(caller);
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = expectStatus(
          await caller.get('/api/v1/me/notifications', { limit: 2, ...(after ? { after } : {}) }),
          200,
        ).body as { results: NotificationView[]; paging: { next?: { after: string } } };
        expect(page.results.length).toBeLessThanOrEqual(2);
        seen.push(...page.results.map((n) => n.id));
        after = page.paging.next?.after;
      } while (after !== undefined);
      expect(seen).toEqual(all.map((n) => n.id));
      expect(seen).toEqual([...seen].sort().reverse());
      expect(all.filter((n) => n.form.id === paged.id)).toHaveLength(3);
      expectProblem(await caller.get('/api/v1/me/notifications', { after: 'forged' }), 422, {
        field: 'after',
      });
    });

    it('notifies no one who has left the account', async () => {
      const leaving = await setup.user();
      const small = await createForm({
        name: 'Leaving',
        objectType: 'contacts',
        fields: [{ property: 'firstname' }],
        notify: [leaving.id],
      });
      expectStatus(await admin.delete(`/api/v1/users/${leaving.id}`), 204);
      await expect(submit(small.id, { firstname: 'After' }).then((r) => r.status)).resolves.toBe(
        202,
      );
      const rows = await server.dataSource.query<unknown[]>(
        kind === 'postgres'
          ? 'SELECT id FROM custos_notification WHERE recipient_user_id = $1'
          : 'SELECT id FROM custos_notification WHERE recipient_user_id = ?',
        [leaving.id],
      );
      expect(rows).toEqual([]);
    });

    it('refuses fields the form does not have, missing required ones and bad values with 422', async () => {
      expectProblem(await submit(form.id, { email: 'a@b.test', lastname: 'X' }), 422, {
        code: 'crm.unknown_form_field',
        field: 'fields.lastname',
      });
      expectProblem(await submit(form.id, { firstname: 'No email' }), 422, {
        field: 'fields.email',
      });
      const response = await submit(form.id, { email: 'a@b.test', firstname: { x: PLAIN_CANARY } });
      expectProblem(response, 422, { field: 'fields.firstname' });
      expect(response.text).not.toContain(PLAIN_CANARY);
      const date = await createForm({
        name: 'Dates',
        objectType: 'contacts',
        fields: [{ property: 'birthdate' }],
      });
      const bad = await submit(date.id, { birthdate: `${CANARY}-not-a-date` });
      expectProblem(bad, 422, { code: 'crm.invalid_value', field: 'fields.birthdate' });
      expect(bad.text).not.toContain(CANARY);
    });

    it('answers unknown and inactive forms alike with 404', async () => {
      const inactive = await createForm({
        name: 'Off',
        objectType: 'contacts',
        fields: [{ property: 'firstname' }],
        active: false,
      });
      const unknown = await submit('0193a6c4-7f1e-7c3a-9d1e-0000000000ff', { firstname: 'X' });
      const off = await submit(inactive.id, { firstname: 'X' });
      expectProblem(unknown, 404, { code: 'crm.form_not_found' });
      expectProblem(off, 404, { code: 'crm.form_not_found' });
      expect(off.body.detail).toEqual(unknown.body.detail);
    });

    it('accepts a value that is already taken without saying so, and logs the failure for admins', async () => {
      const email = `taken.${Date.now()}@forms.test`;
      const small = await createForm({
        name: 'Newsletter',
        objectType: 'contacts',
        fields: [{ property: 'email', required: true }],
      });
      const first = await submit(small.id, { email });
      const second = await submit(small.id, { email });
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(second.body).toEqual(first.body);
      const log = await submissions(small.id);
      expect(log.map((s) => s.status)).toEqual(['failed', 'created']);
      expect(log[0]).toEqual({
        id: expect.any(String),
        submittedAt: expect.any(String),
        status: 'failed',
        recordId: null,
        errorCode: 'crm.unique_value_taken',
      });
      expect(server.logs.join('\n')).not.toContain(email);
    });

    it('throttles submissions per client address with 429 and Retry-After', async () => {
      const throttled = await createForm({
        name: 'Throttled',
        objectType: 'contacts',
        fields: [{ property: 'email', required: true }],
      });
      const ip = freshIp();
      for (let i = 0; i < SUBMISSIONS_PER_IP; i += 1) {
        expectStatus(
          await submit(throttled.id, { email: `throttle.${i}.${Date.now()}@forms.test` }, ip),
          202,
        );
      }
      const refused = await submit(
        throttled.id,
        { email: `throttle.over.${Date.now()}@forms.test` },
        ip,
      );
      expectProblem(refused, 429, { code: 'crm.form_submissions_throttled' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expectStatus(
        await submit(throttled.id, { email: `throttle.other.${Date.now()}@forms.test` }),
        202,
      );
    });

    it('deletes the submission log and notifications with the form, keeping the record', async () => {
      const small = await createForm({
        name: 'Short-lived',
        objectType: 'contacts',
        fields: [{ property: 'firstname' }],
        notify: [reader.id],
      });
      expectStatus(await submit(small.id, { firstname: 'Kept' }), 202);
      const [{ recordId: kept }] = await submissions(small.id);
      expectStatus(await admin.delete(`/api/v1/forms/${small.id}`), 204);
      expect((await notificationsOf(reader.caller)).map((n) => n.form.id)).not.toContain(small.id);
      expectStatus(await admin.get(`/api/v1/objects/contacts/${kept}`), 200);
    });
  });

  describe('file fields', () => {
    let form: FormView;
    let scan: string;
    const FILE_CANARY = `${CANARY}-scan-bytes`;

    function submitMultipart(
      formId: string,
      fields: Record<string, string>,
      files: Record<string, Buffer>,
      ip = freshIp(),
    ) {
      let request = server
        .http()
        .post(`/api/v1/forms/${formId}/submissions`)
        .set('X-Forwarded-For', ip);
      for (const [name, value] of Object.entries(fields)) {
        request = request.field(`fields[${name}]`, value);
      }
      for (const [part, content] of Object.entries(files)) {
        request = request.attach(part, content, {
          filename: 'scan.pdf',
          contentType: 'application/pdf',
        });
      }
      return request;
    }

    /** The bytes of every file the attachment storage holds for the account. */
    function storedFileText(): string {
      const dir = join(server.config.dataDir, 'attachments', server.accountId);
      return readdirSync(dir)
        .map((id) => readFileSync(join(dir, id)).toString('latin1'))
        .join('\n');
    }

    beforeAll(async () => {
      scan = uniqueName('scan');
      await createProperty(admin, 'contacts', {
        name: scan,
        label: 'Scanned referral',
        type: 'file',
        sensitivity: { phi: true },
      });
      form = await createForm({
        name: 'Referral upload',
        objectType: 'contacts',
        fields: [
          { property: 'email', required: true },
          { property: scan, required: true },
        ],
      });
    });

    it('stores the file as an encrypted attachment of the new record, the property holding its id', async () => {
      const email = `referral.${Date.now()}@forms.test`;
      const answer = await submitMultipart(
        form.id,
        { email },
        { [`files[${scan}]`]: Buffer.from(FILE_CANARY) },
      );
      expect(answer.status).toBe(202);
      expect(answer.text).not.toContain(FILE_CANARY);
      const [submission] = await submissions(form.id);
      expect(submission).toMatchObject({ status: 'created' });
      const record = expectStatus(
        await admin.get(`/api/v1/objects/contacts/${submission.recordId}?properties=email,${scan}`),
        200,
      ).body as { properties: Record<string, string> };
      expect(record.properties.email).toBe(email);
      const attachmentId = record.properties[scan];
      const attachment = expectStatus(await admin.get(`/api/v1/attachments/${attachmentId}`), 200)
        .body as { encrypted: boolean; fileName: string };
      expect(attachment).toMatchObject({ encrypted: true, fileName: 'scan.pdf' });
      const content = await admin.get(`/api/v1/attachments/${attachmentId}/content`);
      expect(content.status).toBe(200);
      expect(Buffer.from(content.body as Buffer).toString()).toBe(FILE_CANARY);
      expectProblem(await server.http().get(`/api/v1/attachments/${attachmentId}/content`), 401);
      expect(storedFileText()).not.toContain(FILE_CANARY);
      expect(await rawDatabaseText()).not.toContain(FILE_CANARY);
      // The sensitive file property's value (the attachment id) is sealed in the row too.
      const [row] = await server.dataSource.query<{ custom: string }[]>(
        `SELECT custom FROM crm_contact WHERE id = '${submission.recordId}'`,
      );
      expect(row.custom).not.toContain(attachmentId);
      expect(JSON.parse(row.custom)).toMatchObject({ [scan]: expect.stringMatching(/^cx1\./) });
    });

    it('refuses a value in place of the file, a file for another field, and a missing file with 422', async () => {
      expectProblem(
        await submit(form.id, { email: 'x@forms.test', [scan]: 'https://example.com/a.pdf' }),
        422,
        { code: 'crm.form_file_expected', field: `fields.${scan}` },
      );
      expectProblem(
        await submitMultipart(
          form.id,
          { email: 'x@forms.test' },
          { 'files[email]': Buffer.from('x'), [`files[${scan}]`]: Buffer.from('y') },
        ),
        422,
        { code: 'crm.unknown_form_file', field: 'files[email]' },
      );
      expectProblem(await submitMultipart(form.id, { email: 'x@forms.test' }, {}), 422, {
        code: 'crm.required_property',
        field: `fields.${scan}`,
      });
    });

    it('refuses a throttled address before reading its files (429, not 413)', async () => {
      const ip = freshIp();
      for (let i = 0; i < SUBMISSIONS_PER_IP; i += 1) {
        expectProblem(await submit(form.id, { email: `t.${i}@forms.test` }, ip), 422);
      }
      expectProblem(
        await submitMultipart(
          form.id,
          { email: 'late@forms.test' },
          { [`files[${scan}]`]: Buffer.alloc(FILE_LIMIT + 1, 1) },
          ip,
        ),
        429,
        { code: 'crm.form_submissions_throttled' },
      );
    });

    it('refuses a file above the attachment limit with 413, storing nothing', async () => {
      const before = (await submissions(form.id)).length;
      expectProblem(
        await submitMultipart(
          form.id,
          { email: 'big@forms.test' },
          { [`files[${scan}]`]: Buffer.alloc(FILE_LIMIT + 1, 1) },
        ),
        413,
        { code: 'crm.attachment_too_large' },
      );
      expect(await submissions(form.id)).toHaveLength(before);
    });
  });
});
