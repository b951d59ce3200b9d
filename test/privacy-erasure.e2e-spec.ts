import { testDatabaseKinds } from '@custos/core/testing';
import { PrivacyErasures } from '@custos/privacy';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { createProperty, createRecord, uniqueName } from './crm/crm-support';
import { expectProblem, newAccount } from './support/api';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountCiphers, SubjectErasedError } from '@custos/crypto';
import { contactsExport, downloadExport, requestExport, waitForExport } from './support/exports';
import {
  canariesIn,
  databaseBytes,
  erasureBody,
  erasureWorld,
  plantErasureSubject,
  type ErasureSubject,
  type ErasureWorld,
} from './support/privacy-erasure';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

/**
 * Issue 18 item 5 over HTTP: erasure of a subject planted in every registered place — the contact
 * with a closed-won deal anonymised, the other deleted, consent events emptied with the chain
 * still verifying, the email blacklisted as a keyed hash, the privacy log masked — and what a
 * caller without the privilege or of another account tries.
 */
describe.each(testDatabaseKinds())('Erasure of a subject on %s', (kind) => {
  let server: TestServer;
  let admin: Caller;
  let world: ErasureWorld;
  let tags = 0;
  const nextTag = () => `e${Date.now().toString(36)}${(tags += 1)}`;

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { CUSTOS_JOB_POLL_MS: '50' } });
    admin = callerOf(server, await server.login());
    world = await erasureWorld(admin);
  });

  afterAll(() => server?.close());

  /** The admin's token for the first account (another test may have made the admin a member of more). */
  const signIn = () => server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);

  async function erased(
    requestId: string,
  ): Promise<{ status: string; contactsAnonymised: number }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = expectStatus(
        await admin.get(`/api/v1/privacy-requests/${requestId}/erasure`),
        200,
      ).body as { status: string; contactsAnonymised: number };
      if (view.status === 'completed' || Date.now() > deadline) {
        return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Starts the erasure of `subject` (202) and returns its view. */
  const startErasure = async (subject: ErasureSubject) =>
    expectStatus(
      await admin.post(
        `/api/v1/privacy-requests/${subject.requestId}/erasure`,
        erasureBody(subject),
      ),
      202,
    ).body as { id: string; status: string; contactsTotal: number };

  /** Starts the erasure of `subject` and waits until it has run. */
  const eraseToEnd = async (subject: ErasureSubject) => {
    await startErasure(subject);
    return erased(subject.requestId);
  };

  /** A statement with `$n` parameters, as this database writes them. */
  const sql = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));

  it('has a rule for every registered source of contact data', async () => {
    const plan = await server.app.get(PrivacyErasures).planOf(server.accountId);
    expect(plan.unreached).toEqual([]);
    expect(Object.fromEntries(plan.steps.map((step) => [step.source.key, step.how]))).toMatchObject(
      {
        'crm.contact': 'eraser',
        'crm.property_history': 'rows_of_contact',
        'crm.attachment': 'rows_of_contact',
        'consent.event': 'eraser',
        'consent.blacklist': 'rows_by_value',
        'core.mail_outbox': 'rows_by_value',
        'crm.deal': 'eraser',
        'exports.export': 'eraser',
        'exports.carried': 'eraser',
      },
    );
  });

  it('deletes or anonymises every registered place; the deal stays; nothing of the subject is left', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag());
    expect(
      canariesIn(
        await databaseBytes(kind, server.dataSource, server.database.url),
        subject.canaries,
      ),
    ).toEqual(subject.canaries);

    const started = await startErasure(subject);
    expect(started).toMatchObject({ status: 'running', contactsTotal: 2 });
    await expect(erased(subject.requestId)).resolves.toMatchObject({
      status: 'completed',
      contactsAnonymised: 1,
    });

    // The business record stays valid: the deal, linked to the anonymised contact.
    const [kept, removed] = subject.contactIds;
    const anonymised = expectStatus(await admin.get(`/api/v1/objects/contacts/${kept}`), 200)
      .body as {
      properties: Record<string, unknown>;
    };
    expect(anonymised.properties).toMatchObject({
      email: null,
      firstname: null,
      lastname: null,
      phone: null,
    });
    expect(anonymised.properties[world.property] ?? null).toBeNull();
    expectProblem(await admin.get(`/api/v1/objects/contacts/${removed}`), 404);
    expectStatus(await admin.get(`/api/v1/objects/deals/${subject.dealId}`), 200);
    const linked = expectStatus(
      await admin.get(`/api/v1/objects/deals/${subject.dealId}/associations/contacts`),
      200,
    ).body as { results: string[] };
    expect(linked.results).toEqual([kept]);

    // Nowhere in the database: not in a table, not in a freed page (SQLite), not in a dump (PG).
    expect(
      canariesIn(
        await databaseBytes(kind, server.dataSource, server.database.url),
        subject.canaries,
      ),
    ).toEqual([]);

    // Crypto-shredding: each contact's own key is destroyed, so copies of its sealed values in
    // backups no longer open (test: subject-erasure-backup.integration-spec.ts).
    const keys = await server.dataSource.query<
      { subject_id: string; wrapped_key: unknown; destroyed_at: unknown }[]
    >(
      `SELECT subject_id, wrapped_key, destroyed_at FROM crypto_subject_key WHERE subject_id IN (${
        kind === 'postgres' ? '$1, $2' : '?, ?'
      })`,
      subject.contactIds,
    );
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key.wrapped_key).toBeNull();
      expect(key.destroyed_at).not.toBeNull();
    }

    // The consent chain still verifies.
    expect(expectStatus(await admin.get('/api/v1/consent/verify'), 200).body).toMatchObject({
      valid: true,
    });

    // Calling again returns the finished erasure.
    expect(await startErasure(subject)).toMatchObject({ id: started.id, status: 'completed' });
  }, 60_000);

  it("removes the subject's sealed values from companies' custom properties, found by their token", async () => {
    // Companies are no one's: their sealed values stay under the account's key, so destroying
    // the subject's key does not reach them.
    const property = uniqueName('contact_email_firm');
    await createProperty(admin, 'companies', {
      name: property,
      label: 'Contact person email',
      type: 'string',
      sensitivity: {},
      dataCategory: 'user.contact.email',
    });
    const subject = await plantErasureSubject(admin, world, nextTag(), 1);
    const company = await createRecord(admin, 'companies', {
      name: uniqueName('firm'),
      [property]: subject.emails[0],
    });
    const bystander = await createRecord(admin, 'companies', {
      name: uniqueName('firm'),
      [property]: `someone.else.${nextTag()}@erasure.test`,
    });
    const found = async () =>
      (
        expectStatus(
          await admin.post('/api/v1/privacy-lookup', { email: subject.emails[0], limit: 100 }),
          200,
        ).body as { results: { source: string; rowId: string }[] }
      ).results
        .filter((item) => item.source === 'crm.company')
        .map((item) => item.rowId);
    expect(await found()).toEqual([company.id]);

    await startErasure(subject);
    await expect(erased(subject.requestId)).resolves.toMatchObject({ status: 'completed' });

    const read = async (id: string) =>
      (
        expectStatus(await admin.get(`/api/v1/objects/companies/${id}`), 200).body as {
          properties: Record<string, unknown>;
        }
      ).properties[property] ?? null;
    expect(await read(company.id)).toBeNull();
    expect(await read(bystander.id)).not.toBeNull();
    const tokens = await server.dataSource.query<unknown[]>(
      `SELECT token FROM crm_blind_index WHERE record_id = ${kind === 'postgres' ? '$1' : '?'}`,
      [company.id],
    );
    expect(tokens).toEqual([]);
    expect(await found()).toEqual([]);
  }, 60_000);

  it('keeps the erased email out: a create or an import of it is refused, a blacklist entry is a keyed hash', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag(), 1);
    await eraseToEnd(subject);
    expectProblem(
      await admin.post('/api/v1/objects/contacts', {
        properties: { email: subject.emails[0].toUpperCase() },
      }),
      409,
      { code: 'crm.erased_subject', field: 'email' },
    );
    const entries = await server.dataSource.query<{ value: string; reason: string }[]>(
      kind === 'postgres'
        ? "SELECT value, reason FROM consent_blacklist WHERE reason = 'erasure'"
        : "SELECT value, reason FROM consent_blacklist WHERE reason = 'erasure'",
    );
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.every((e) => /^erased:[0-9a-f]{64}$/.test(e.value))).toBe(true);

    const upload = expectStatus(
      await admin
        .upload('/api/v1/imports')
        .field('objectType', 'contacts')
        .field('mode', 'create')
        .field('mapping', JSON.stringify({ Email: 'email' }))
        .attach('file', Buffer.from(`Email\n${subject.emails[0]}\nfresh.${subject.emails[0]}\n`), {
          filename: 'contacts.csv',
          contentType: 'text/csv',
        }),
      202,
    ).body as { id: string };
    const deadline = Date.now() + 30_000;
    let done: { status: string; created: number; failed: number } | undefined;
    while (Date.now() < deadline) {
      done = expectStatus(await admin.get(`/api/v1/imports/${upload.id}`), 200).body as typeof done;
      if (done?.status === 'done') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(done).toMatchObject({ status: 'done', created: 1, failed: 1 });
  }, 60_000);

  it('verifies the consent chain after erasure and still detects a change to an erased event', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag(), 1);
    await eraseToEnd(subject);
    const [event] = await server.dataSource.query<
      { id: string; status: string; address: string }[]
    >(
      sql(
        'SELECT id, status, address FROM consent_event WHERE contact_id = $1 AND erased_at IS NOT NULL',
      ),
      [subject.contactIds[0]],
    );
    expect(event.address).toBe('');
    expect(expectStatus(await admin.get('/api/v1/consent/verify'), 200).body).toMatchObject({
      valid: true,
    });
    for (const [column, value] of [
      ['status', 'withdrawn'],
      ['address', 'someone.else@example.com'],
    ] as const) {
      const before = column === 'status' ? event.status : event.address;
      await server.dataSource.query(sql(`UPDATE consent_event SET ${column} = $1 WHERE id = $2`), [
        value,
        event.id,
      ]);
      try {
        expect(expectStatus(await admin.get('/api/v1/consent/verify'), 200).body).toMatchObject({
          valid: false,
          reason: 'hash_mismatch',
        });
      } finally {
        await server.dataSource.query(
          sql(`UPDATE consent_event SET ${column} = $1 WHERE id = $2`),
          [before, event.id],
        );
      }
    }
    expect(expectStatus(await admin.get('/api/v1/consent/verify'), 200).body).toMatchObject({
      valid: true,
    });
  }, 60_000);

  it('makes every copy of the subject’s files unreadable: a copy of the file store taken before no longer yields the attachment or the export files that carried them', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag());
    const contactId = subject.contactIds[1];
    const attachment = expectStatus(
      await admin
        .upload(`/api/v1/objects/contacts/${contactId}/attachments`)
        .attach('file', Buffer.from(`Canaryfile of ${subject.emails[1]}`), {
          filename: 'scan.txt',
          contentType: 'text/plain',
        }),
      201,
    ).body as { id: string };
    const carrying = await requestExport(
      admin,
      contactsExport(['email'], {
        filterGroups: [
          { filters: [{ propertyName: 'phone', operator: 'eq', value: subject.phone }] },
        ],
      }),
    );
    const other = await requestExport(
      admin,
      contactsExport(['email'], {
        filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'eq', value: '+1' }] }],
      }),
    );
    expect(await waitForExport(admin, carrying.id)).toMatchObject({ state: 'done', rowsDone: 2 });
    expect(await waitForExport(admin, other.id)).toMatchObject({ state: 'done' });
    const token = await signIn();
    expect(
      expectStatus(await downloadExport(server, token, carrying.id), 200).body.toString(),
    ).toContain(subject.emails[1]);
    const live = server.config.dataDir;
    const exportFile = (dir: string) => join(dir, 'exports', server.accountId, carrying.id);
    const attachmentFile = (dir: string) =>
      join(dir, 'attachments', server.accountId, attachment.id);
    // A copy of the file store (a backup of the directory; an S3 bucket copy alike).
    const backup = mkdtempSync(join(tmpdir(), 'custos-store-copy-'));
    try {
      cpSync(join(live, 'exports'), join(backup, 'exports'), { recursive: true });
      cpSync(join(live, 'attachments'), join(backup, 'attachments'), { recursive: true });
      for (const file of [exportFile(backup), attachmentFile(backup)]) {
        expect(canariesIn(readFileSync(file).toString('latin1'), subject.canaries)).toEqual([]);
      }

      await startErasure(subject);
      expect(await erased(subject.requestId)).toMatchObject({ status: 'completed' });

      // The export that carried the subject: 410 with a problem naming why; its log stays.
      expectProblem(await downloadExport(server, token, carrying.id), 410, {
        code: 'exports.file_erased',
      });
      expect(
        expectStatus(await admin.get(`/api/v1/exports/${carrying.id}`), 200).body,
      ).toMatchObject({ id: carrying.id, state: 'done', sha256: expect.any(String) });
      expectStatus(await downloadExport(server, token, other.id), 200);
      // The copy put back in place of the live file (a restore of the store) does not open either.
      writeFileSync(exportFile(live), readFileSync(exportFile(backup)));
      expectProblem(await downloadExport(server, token, carrying.id), 410, {
        code: 'exports.file_erased',
      });
      // The attachment's copy, opened with the live keys at its place: the contact's key is gone.
      const cipher = await server.app.get(AccountCiphers).forAccount(server.accountId);
      const holder = { kind: 'contact', id: contactId };
      await cipher.loadSubjectKeys([holder]);
      expect(() =>
        cipher.openBytes(readFileSync(attachmentFile(backup)), {
          purpose: 'attachment',
          id: attachment.id,
          owner: `contacts/${contactId}`,
          holder,
        }),
      ).toThrow(SubjectErasedError);
    } finally {
      rmSync(backup, { recursive: true, force: true });
    }
  }, 90_000);

  it('a database writer cannot make an erased export file readable again by re-pointing its destroyed key row', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag(), 1);
    const carrying = await requestExport(
      admin,
      contactsExport(['email'], {
        filterGroups: [
          { filters: [{ propertyName: 'phone', operator: 'eq', value: subject.phone }] },
        ],
      }),
    );
    // Another export, carrying none of the subject's contacts: its key stays live.
    const live = await requestExport(
      admin,
      contactsExport(['email'], {
        filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'eq', value: '+1' }] }],
      }),
    );
    expect(await waitForExport(admin, carrying.id)).toMatchObject({ state: 'done' });
    expect(await waitForExport(admin, live.id)).toMatchObject({ state: 'done' });
    await eraseToEnd(subject);
    const [donor] = await server.dataSource.query<
      { wrapped_key: string; key_version: number; generation: number }[]
    >(
      sql(
        "SELECT wrapped_key, key_version, generation FROM crypto_subject_key WHERE subject_kind = 'file' AND subject_id = $1",
      ),
      [`export/${live.id}`],
    );
    // The attack: the live key of another export written into the destroyed row.
    await server.dataSource.query(
      sql(
        "UPDATE crypto_subject_key SET wrapped_key = $1, key_version = $2, generation = $3, destroyed_at = NULL WHERE subject_kind = 'file' AND subject_id = $4",
      ),
      [donor.wrapped_key, donor.key_version, donor.generation, `export/${carrying.id}`],
    );
    const token = await signIn();
    // A wrapped key is bound to its file: it does not unwrap there, and nothing of the file is served.
    const refused = await downloadExport(server, token, carrying.id);
    expectProblem(refused, 503, { code: 'exports.file_unreadable' });
    expect(JSON.stringify(refused.body)).not.toContain(subject.emails[0]);
    expectStatus(await downloadExport(server, token, live.id), 200);
  }, 90_000);

  it('records a privacy log with the subject masked and no removed value, for privacy operators only', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag());
    // An export carried both contacts: the recipients' log stays (Art. 19), by contact id only.
    const exported = await requestExport(
      admin,
      contactsExport(['email'], {
        filterGroups: [
          { filters: [{ propertyName: 'phone', operator: 'eq', value: subject.phone }] },
        ],
      }),
    );
    expect(await waitForExport(admin, exported.id)).toMatchObject({ state: 'done', rowsDone: 2 });
    await eraseToEnd(subject);
    const log = expectStatus(
      await admin.get('/api/v1/privacy-log', { requestId: subject.requestId }),
      200,
    ).body as { results: { action: string; subject: string; detail: Record<string, unknown> }[] };
    expect(log.results.map((e) => e.action).sort()).toEqual(
      ['contact_anonymised', 'contact_deleted', 'erasure_completed', 'values_erased'].sort(),
    );
    expect(canariesIn(JSON.stringify(log), subject.canaries)).toEqual([]);
    expect(log.results.find((e) => e.action === 'values_erased')?.detail.kept).toHaveProperty([
      'exports.carried',
    ]);
    const carried = await server.dataSource.query<{ record_id: string }[]>(
      `SELECT record_id FROM custos_export_record WHERE export_id = ${kind === 'postgres' ? '$1' : '?'}`,
      [exported.id],
    );
    expect(carried.map((row) => row.record_id).sort()).toEqual([...subject.contactIds].sort());
    expect(log.results[0].subject).toMatch(/^\w\*\*\*@e\*\*\*\.test/);
    const anonymised = log.results.find((e) => e.action === 'contact_anonymised')!;
    expect(anonymised.detail).toMatchObject({
      contactId: subject.contactIds[0],
      blockers: ['crm.closed_won_deals'],
      keyDestroyed: true,
      rows: expect.objectContaining({
        'crm.property_history': expect.any(Number),
        'crm.unique_value': 1,
        'consent.state': 1,
        'consent.event': 1,
        'crm.contact': 1,
      }),
    });
    // The request keeps its subject masked only.
    const request = expectStatus(
      await admin.get(`/api/v1/privacy-requests/${subject.requestId}`),
      200,
    ).body as { subjectEmail: string; subjectName: string };
    expect(canariesIn(JSON.stringify(request), subject.canaries)).toEqual([]);

    const setup = new Setup(server, await signIn());
    const crmUser = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'delete', level: 'account' }],
      taskPrivileges: ['manage_consent'],
    });
    expectProblem(await crmUser.caller.get('/api/v1/privacy-log'), 403);
    expectProblem(
      await crmUser.caller.get(`/api/v1/privacy-requests/${subject.requestId}/erasure`),
      403,
    );
  }, 60_000);

  it('attack: a privacy operator erases only contacts they may read; another is as unknown, nothing changes', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag(), 1);
    const setup = new Setup(server, await signIn());
    // Handles privacy requests; reads and creates contacts of their own only.
    const operator = await setup.userWithRole({
      privileges: [
        { objectType: 'contacts', action: 'read', level: 'own' },
        { objectType: 'contacts', action: 'create', level: 'own' },
      ],
      taskPrivileges: ['manage_privacy_requests'],
    });
    const own = await createRecord(operator.caller, 'contacts', {
      email: `${nextTag()}@own.test`,
    });
    expectProblem(
      await operator.caller.get(`/api/v1/objects/contacts/${subject.contactIds[0]}`),
      404,
    );
    const request = expectStatus(
      await operator.caller.post('/api/v1/privacy-requests', {
        type: 'erasure',
        channel: 'email',
        subjectEmail: subject.emails[0],
      }),
      201,
    ).body as { id: string };
    expectStatus(
      await operator.caller.post(`/api/v1/privacy-requests/${request.id}/transition`, {
        status: 'in_progress',
      }),
      200,
    );
    const path = `/api/v1/privacy-requests/${request.id}/erasure`;
    // The contact they may not read answers as a contact of no account would: 422 naming it.
    const refused = await operator.caller.post(path, {
      contactIds: [own.id, subject.contactIds[0]],
    });
    expectProblem(refused, 422, { field: 'contactIds[1]' });
    expect((refused.body as { detail: string }).detail).toBe(
      'contactIds[1]: names no contact of the account',
    );
    expectProblem(await operator.caller.get(path), 404);
    expectStatus(await admin.get(`/api/v1/objects/contacts/${subject.contactIds[0]}`), 200);
    // Their own contact is theirs to erase, archived too.
    expectStatus(await admin.delete(`/api/v1/objects/contacts/${own.id}`), 204);
    expectStatus(await operator.caller.post(path, { contactIds: [own.id] }), 202);
    await expect(erased(request.id)).resolves.toMatchObject({ status: 'completed' });
    expect(
      await server.dataSource.query(sql('SELECT id FROM crm_contact WHERE id = $1'), [own.id]),
    ).toEqual([]);
    expectStatus(await admin.get(`/api/v1/objects/contacts/${subject.contactIds[0]}`), 200);
  }, 60_000);

  it('refuses what it must: no privilege, another account, foreign contacts, a wrong request or status', async () => {
    const subject = await plantErasureSubject(admin, world, nextTag(), 1);
    const path = `/api/v1/privacy-requests/${subject.requestId}/erasure`;
    const setup = new Setup(server, await signIn());
    const crmUser = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'delete', level: 'account' }],
    });
    expectProblem(await crmUser.caller.post(path, erasureBody(subject)), 403);

    // Another account's staff see no such request; their own contact ids do not reach ours.
    const other = await newAccount(server, await signIn(), `Other ${nextTag()}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const otherAdmin = callerOf(server, other.token);
    expectProblem(await otherAdmin.post(path, erasureBody(subject)), 404);
    const theirs = await createRecord(otherAdmin, 'contacts', { email: `${nextTag()}@other.test` });
    expectProblem(await admin.post(path, { contactIds: [subject.contactIds[0], theirs.id] }), 422, {
      field: 'contactIds[1]',
    });
    expectProblem(await admin.post(path, { contactIds: [], emails: ['not-an-email'] }), 422);
    expectProblem(await admin.post(path, { contactIds: [] }), 422);

    const access = expectStatus(
      await admin.post('/api/v1/privacy-requests', {
        type: 'access',
        channel: 'email',
        subjectEmail: subject.emails[0],
      }),
      201,
    ).body as { id: string };
    expectProblem(
      await admin.post(`/api/v1/privacy-requests/${access.id}/erasure`, erasureBody(subject)),
      409,
    );
    const received = expectStatus(
      await admin.post('/api/v1/privacy-requests', {
        type: 'erasure',
        channel: 'email',
        subjectEmail: subject.emails[0],
      }),
      201,
    ).body as { id: string };
    expectProblem(
      await admin.post(`/api/v1/privacy-requests/${received.id}/erasure`, erasureBody(subject)),
      409,
    );
    // Nothing was erased by the refusals.
    expectStatus(await admin.get(`/api/v1/objects/contacts/${subject.contactIds[0]}`), 200);
    expectStatus(await otherAdmin.get(`/api/v1/objects/contacts/${theirs.id}`), 200);
  }, 60_000);
});
