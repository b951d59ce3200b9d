import { createHash } from 'node:crypto';
import { FileStore } from '@custos/core';
import { AccountCiphers, SubjectErasedError, fileKeyHolder } from '@custos/crypto';
import { testDatabaseKinds } from '@custos/core/testing';
import { readZip } from '@custos/exports/testing';
import type { PackageItemView, PackageView } from '@custos/privacy';
import type { Response, Test } from 'supertest';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { createProperty, uniqueName } from './crm/crm-support';
import { expectProblem, newAccount, walkPages } from './support/api';
import { contactsExport, requestExport, waitForExport } from './support/exports';
import {
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

type User = Awaited<ReturnType<Setup['userWithRole']>>;

/**
 * Issue 18 item 4 over HTTP: an access package built by a job, reviewed, redacted, released to
 * the subject through a single-use link and unzipped; what a caller without the privilege, of
 * another account, with a wrong, used or expired link, or releasing twice gets; and a value the
 * operator may not read never reaches the file.
 */
describe.each(testDatabaseKinds())('Access packages on %s', (kind) => {
  let server: TestServer;
  let admin: Caller;
  let world: ErasureWorld;
  /** A sensitive property only super admins may read. */
  let adminOnly: string;
  /** Reads contacts and handles privacy requests, but may not read sensitive values. */
  let reader: User;
  /** Reads contacts, without manage_privacy_requests. */
  let crmUser: User;
  let tags = 0;
  const nextTag = () => `p${Date.now().toString(36)}${(tags += 1)}`;
  const p = (i: number) => (kind === 'postgres' ? `$${i}` : '?');

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { CUSTOS_JOB_POLL_MS: '50' } });
    admin = callerOf(server, await server.login());
    world = await erasureWorld(admin);
    adminOnly = uniqueName('canary_secret');
    await createProperty(admin, 'contacts', {
      name: adminOnly,
      label: 'Secret',
      type: 'string',
      sensitivity: { highlySensitive: false, access: 'super_admins' },
    });
    const setup = new Setup(server, await signIn());
    reader = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
      taskPrivileges: ['manage_privacy_requests'],
    });
    crmUser = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
    });
  });

  afterAll(() => server?.close());

  const signIn = () => server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
  const path = (requestId: string, rest = '') =>
    `/api/v1/privacy-requests/${requestId}/package${rest}`;

  /** A subject (two contacts with history, consent, a sealed value) and an access request. */
  async function subjectWithRequest(
    type = 'access',
  ): Promise<ErasureSubject & { accessId: string; secret: string }> {
    const tag = nextTag();
    const subject = await plantErasureSubject(admin, world, tag, 2);
    const secret = `Secret${tag}`;
    expectStatus(
      await admin.patch(`/api/v1/objects/contacts/${subject.contactIds[0]}`, {
        properties: { [adminOnly]: secret },
      }),
      200,
    );
    const accessId = await openRequest(type, subject);
    return { ...subject, accessId, secret };
  }

  /** A request of the subject, in progress; its id. */
  /** Starts the erasure of request `erasureId` (202) and returns its status once completed (or after 30 s). */
  async function erasureStatus(erasureId: string, body: object): Promise<string> {
    expectStatus(await admin.post(`/api/v1/privacy-requests/${erasureId}/erasure`, body), 202);
    const deadline = Date.now() + 30_000;
    let status = '';
    while (status !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (
        expectStatus(await admin.get(`/api/v1/privacy-requests/${erasureId}/erasure`), 200)
          .body as { status: string }
      ).status;
    }
    return status;
  }

  async function openRequest(type: string, subject: ErasureSubject): Promise<string> {
    const request = expectStatus(
      await admin.post('/api/v1/privacy-requests', {
        type,
        channel: 'email',
        subjectEmail: subject.emails[0],
        subjectPhone: subject.phone,
        subjectContactId: subject.contactIds[0],
      }),
      201,
    ).body as { id: string };
    expectStatus(
      await admin.post(`/api/v1/privacy-requests/${request.id}/transition`, {
        status: 'in_progress',
      }),
      200,
    );
    return request.id;
  }

  async function inReview(caller: Caller, requestId: string): Promise<PackageView> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = expectStatus(await caller.get(path(requestId)), 200).body as PackageView;
      if (view.state !== 'building' || Date.now() > deadline) {
        return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const binary = (test: Test) =>
    test.buffer(true).parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    });

  const publicDownload = (token: string): Promise<Response> =>
    binary(server.http().get(`/api/v1/public/privacy-packages/${token}`));
  /** The same, for refusals (their problem details parsed as JSON). */
  const publicRefusal = (token: string): Promise<Response> =>
    server.http().get(`/api/v1/public/privacy-packages/${token}`);

  async function linkTokenFor(email: string): Promise<string> {
    const rows = await server.dataSource.query<{ text: string }[]>(
      `SELECT text_body AS text FROM custos_mail_outbox WHERE kind = 'privacy.package' AND recipients LIKE ${p(1)} ORDER BY created_at DESC, id DESC`,
      [`%${email}%`],
    );
    const token = /public\/privacy-packages\/([A-Za-z0-9_-]+)/.exec(rows[0]?.text ?? '')?.[1];
    expect(token).toBeDefined();
    return token!;
  }

  function unzipped(archive: Buffer): Map<string, string> {
    return new Map(readZip(archive).files.map((f) => [f.name, f.content.toString('utf8')]));
  }

  async function allItems(caller: Caller, requestId: string): Promise<PackageItemView[]> {
    const { pages } = await walkPages<PackageItemView>((after) =>
      caller.get(path(requestId, '/items'), { limit: 100, ...(after ? { after } : {}) }),
    );
    return pages.flat();
  }

  it('builds, reviews, redacts, releases to the subject; the link downloads the package once', async () => {
    const subject = await subjectWithRequest();
    const [email] = subject.emails;
    const sealedValue = subject.secret;
    const attachmentBytes = Buffer.from(`letter to ${email}\n`);
    const attachment = expectStatus(
      await admin
        .upload(`/api/v1/objects/contacts/${subject.contactIds[0]}/attachments`)
        .attach('file', attachmentBytes, { filename: 'letter one.txt', contentType: 'text/plain' }),
      201,
    ).body as { id: string };
    // An export that carried the subject's contact: a recipient of their data (Art. 15(1)(c)).
    const exported = await requestExport(
      admin,
      contactsExport(['email'], {
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'eq', value: email }] }],
      }),
    );
    expect(await waitForExport(admin, exported.id)).toMatchObject({ state: 'done' });
    const started = expectStatus(await admin.post(path(subject.accessId)), 202).body as PackageView;
    expect(started).toMatchObject({ state: 'building', items: null });
    const built = await inReview(admin, subject.accessId);
    expect(built.state).toBe('review');
    expect(built.sha256).toMatch(/^[0-9a-f]{64}$/);

    // Review: the contact's values as the admin may read them; a history entry to redact.
    const items = await allItems(admin, subject.accessId);
    const contact = items.find(
      (i) => i.source === 'crm.contact' && i.rowId === subject.contactIds[0],
    )!;
    expect(contact.fields.find((f) => f.field === 'email')).toMatchObject({ value: email });
    const history = items.filter((i) => i.source === 'crm.property_history');
    expect(history.length).toBeGreaterThan(0);
    const redacted = history[0];
    expectProblem(
      await admin.post(path(subject.accessId, '/redactions'), {
        itemIds: [redacted.id, 'crm.contact:nothing'],
        reason: 'Names another customer',
      }),
      422,
      { field: 'itemIds[1]' },
    );
    expect(
      expectStatus(
        await admin.post(path(subject.accessId, '/redactions'), {
          itemIds: [redacted.id],
          reason: 'Names another customer',
        }),
        200,
      ).body,
    ).toMatchObject({ state: 'building', redactions: 1 });
    const rebuilt = await inReview(admin, subject.accessId);
    expect(rebuilt).toMatchObject({ state: 'review', redactions: 1 });

    const released = expectStatus(
      await admin.post(path(subject.accessId, '/release'), { to: 'subject' }),
      200,
    ).body as PackageView;
    expect(released).toMatchObject({ state: 'released', releasedTo: 'subject' });
    expectProblem(await admin.post(path(subject.accessId, '/release'), { to: 'staff' }), 409);
    expectProblem(
      await admin.post(path(subject.accessId, '/redactions'), {
        itemIds: [contact.id],
        reason: 'late',
      }),
      409,
    );
    expectProblem(await admin.get(path(subject.accessId, '/file')), 409);

    const token = await linkTokenFor(email);
    expectProblem(await publicRefusal(`${token.slice(0, -2)}xx`), 404);
    expectProblem(await publicRefusal('not-a-token'), 422, { field: 'token' });
    const downloaded = expectStatus(await publicDownload(token), 200);
    const archive = downloaded.body as Buffer;
    expect(createHash('sha256').update(archive).digest('hex')).toBe(rebuilt.sha256);
    expectProblem(await publicRefusal(token), 410);

    const files = unzipped(archive);
    // A copy of the attachment's contents (Art. 15(3)), listed in the manifest.
    const copy = `files/${attachment.id}-letter_one.txt`;
    expect(
      readZip(archive)
        .files.find((f) => f.name === copy)
        ?.content.equals(attachmentBytes),
    ).toBe(true);
    const manifest = JSON.parse(files.get('manifest.json')!) as {
      request: { id: string; type: string };
      items: number;
      redactions: number;
      categories: Record<string, number>;
      files: { name: string; sha256: string }[];
    };
    expect(manifest).toMatchObject({
      request: { id: subject.accessId, type: 'access' },
      items: items.length - 1,
      redactions: 1,
    });
    expect(manifest.files.map((f) => f.name)).toContain(copy);
    for (const file of manifest.files) {
      expect(createHash('sha256').update(files.get(file.name)!).digest('hex')).toBe(file.sha256);
    }
    expect(Object.keys(manifest.categories)).toContain('user.contact.email');
    const emails = JSON.parse(files.get('categories/user.contact.email.json')!) as {
      value?: unknown;
    }[];
    expect(emails.map((e) => e.value)).toContain(email);
    const csv = files.get('entities/crm.contact.csv')!;
    expect(csv.split('\r\n')[0]).toContain('email');
    expect(csv).toContain(email);
    // The phone starts with '+': neutralised for spreadsheets.
    expect(csv).toContain(`'${subject.phone}`);
    const recipients = JSON.parse(files.get('recipients.json')!) as {
      source: string;
      rowId: string;
    }[];
    expect(recipients).toContainEqual(
      expect.objectContaining({
        source: 'exports.carried',
        rowId: `${subject.contactIds[0]}/${exported.id}`,
      }),
    );
    // The admin may read sensitive values: the sealed value is in the package.
    expect([...files.values()].some((text) => text.includes(sealedValue))).toBe(true);
    // The redacted item is nowhere.
    expect([...files.values()].some((text) => text.includes(redacted.rowId))).toBe(false);

    // Every step audited, without values.
    const events = await server.dataSource.query<{ action: string; metadata: string }[]>(
      `SELECT action, metadata FROM audit_event WHERE target_id = ${p(1)} AND action LIKE 'privacy.package%' ORDER BY seq`,
      [subject.accessId],
    );
    expect(events.map((e) => e.action)).toEqual([
      'privacy.package_build_started',
      'privacy.package_built',
      'privacy.package_reviewed',
      'privacy.package_redacted',
      'privacy.package_built',
      'privacy.package_released',
      'privacy.package_downloaded',
    ]);
    const metadata = JSON.stringify(events.map((e) => e.metadata));
    expect(metadata).not.toContain(email);
    expect(metadata).not.toContain('Names another customer');
  }, 90_000);

  it('leaves out what the operator may not read; staff release and download', async () => {
    const subject = await subjectWithRequest();
    const sealedValue = subject.secret;
    // A sealed value (the contact's sensitive one) where a directly read source keeps plain text.
    const [{ custom }] = await server.dataSource.query<{ custom: string }[]>(
      `SELECT custom FROM crm_contact WHERE id = ${p(1)}`,
      [subject.contactIds[0]],
    );
    const envelope = /"(cx1\.[^"]+)"/.exec(String(custom))![1];
    await server.dataSource.query(
      `UPDATE privacy_request SET details = ${p(1)} WHERE id = ${p(2)}`,
      [envelope, subject.accessId],
    );
    expectStatus(await reader.caller.post(path(subject.accessId)), 202);
    expect((await inReview(reader.caller, subject.accessId)).state).toBe('review');
    const items = await allItems(reader.caller, subject.accessId);
    expect(JSON.stringify(items)).not.toContain(sealedValue);
    expect(JSON.stringify(items)).not.toContain(envelope);
    expect(
      items
        .find((i) => i.source === 'privacy.request' && i.rowId === subject.accessId)
        ?.fields.find((f) => f.field === 'details'),
    ).toMatchObject({ held: true, withheld: true });
    const sealed = items
      .find((i) => i.source === 'crm.contact' && i.rowId === subject.contactIds[0])!
      .fields.find((f) => f.field === 'custom');
    expect(sealed?.value).not.toHaveProperty(adminOnly);

    expectStatus(
      await reader.caller.post(path(subject.accessId, '/release'), { to: 'staff' }),
      200,
    );
    const file = expectStatus(
      await binary(
        server.http().get(path(subject.accessId, '/file')).auth(reader.token, { type: 'bearer' }),
      ),
      200,
    );
    const files = unzipped(file.body as Buffer);
    expect([...files.values()].some((text) => text.includes(sealedValue))).toBe(false);
    expect([...files.values()].some((text) => text.includes(envelope))).toBe(false);
    expect([...files.values()].some((text) => text.includes(subject.emails[0]))).toBe(true);
    expect(
      (JSON.parse(files.get('manifest.json')!) as { withheld: number }).withheld,
    ).toBeGreaterThan(0);
  }, 90_000);

  it("attack: a unique property's reserved value shows only where the operator may read the property", async () => {
    const subject = await subjectWithRequest();
    // A unique, non-sensitive property only super admins may view: its value is also kept in
    // clear as the record's reserved unique value (crm.unique_value), read for the package.
    const code = uniqueName('canary_code');
    await createProperty(admin, 'contacts', {
      name: code,
      label: 'Code',
      type: 'string',
      unique: true,
    });
    await new Setup(server, await signIn()).fieldPermissions('contacts', code, {
      view: [{ type: 'super_admins' }],
    });
    const value = `code${nextTag()}`;
    expectStatus(
      await admin.patch(`/api/v1/objects/contacts/${subject.contactIds[0]}`, {
        properties: { [code]: value },
      }),
      200,
    );
    expectStatus(await reader.caller.post(path(subject.accessId)), 202);
    expect((await inReview(reader.caller, subject.accessId)).state).toBe('review');
    const items = await allItems(reader.caller, subject.accessId);
    expect(JSON.stringify(items)).not.toContain(value);
    const reserved = items.filter((i) => i.source === 'crm.unique_value');
    // The email's reserved value (a property the operator reads) shows; the code's is withheld.
    expect(reserved.flatMap((i) => i.fields.map((f) => f.value))).toContain(subject.emails[0]);
    expect(reserved.some((i) => i.fields.some((f) => f.withheld === true))).toBe(true);
  }, 90_000);

  it("attack: a contact's consent, attachments and audit events show only to an operator who may read the contact", async () => {
    const subject = await subjectWithRequest();
    const contactId = subject.contactIds[0];
    const tag = nextTag();
    const userAgent = `Canaryagent${tag}`;
    const fileName = `canaryscan${tag}.txt`;
    // Handles privacy requests, but reads only contacts of their own: not the subject's.
    const operator = await new Setup(server, await signIn()).userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'own' }],
      taskPrivileges: ['manage_privacy_requests'],
    });
    expectProblem(await operator.caller.get(`/api/v1/objects/contacts/${contactId}`), 404);
    expectStatus(
      await admin
        .upload(`/api/v1/objects/contacts/${contactId}/attachments`)
        .attach('file', Buffer.from(`Scan of ${tag}`), {
          filename: fileName,
          contentType: 'text/plain',
        }),
      201,
    );
    // The contact's consent event with the device it came from (as a public unsubscribe keeps
    // it), planted past the ledger: put back afterwards, so that its hash chain holds again.
    const before = await server.dataSource.query<{ id: string; ip: unknown; agent: unknown }[]>(
      `SELECT id, ip, user_agent AS agent FROM consent_event WHERE contact_id = ${p(1)}`,
      [contactId],
    );
    expect(before.length).toBeGreaterThan(0);
    const set = (id: string, ip: unknown, agent: unknown) =>
      server.dataSource.query(
        `UPDATE consent_event SET ip = ${p(1)}, user_agent = ${p(2)} WHERE id = ${p(3)}`,
        [ip, agent, id],
      );
    for (const event of before) {
      await set(event.id, '203.0.113.77', userAgent);
    }
    try {
      const directly = ['consent.event', 'consent.state', 'crm.attachment', 'audit.event_target'];
      const shown = (items: PackageItemView[]) =>
        items
          .filter((i) => [...directly, 'crm.blind_index'].includes(i.source))
          .flatMap((i) => i.fields.filter((f) => f.held && f.value !== undefined));

      expectStatus(await operator.caller.post(path(subject.accessId)), 202);
      expect((await inReview(operator.caller, subject.accessId)).state).toBe('review');
      const items = await allItems(operator.caller, subject.accessId);
      // The rows are found (the subject has data there), their values withheld.
      for (const source of directly) {
        const held = items
          .filter((i) => i.source === source)
          .flatMap((i) => i.fields.filter((f) => f.held && !f.file));
        expect(held.length).toBeGreaterThan(0);
        expect(held.every((f) => f.withheld === true)).toBe(true);
      }
      expect(shown(items)).toEqual([]);
      for (const canary of [userAgent, '203.0.113.77', fileName]) {
        expect(JSON.stringify(items)).not.toContain(canary);
      }
      expectStatus(
        await operator.caller.post(path(subject.accessId, '/release'), { to: 'staff' }),
        200,
      );
      const file = expectStatus(
        await binary(
          server
            .http()
            .get(path(subject.accessId, '/file'))
            .auth(operator.token, { type: 'bearer' }),
        ),
        200,
      );
      const texts = [...unzipped(file.body as Buffer).values()];
      for (const canary of [userAgent, '203.0.113.77', fileName]) {
        expect(texts.some((text) => text.includes(canary))).toBe(false);
      }

      // A super admin's package of the same subject holds them.
      const again = await openRequest('access', subject);
      expectStatus(await admin.post(path(again)), 202);
      expect((await inReview(admin, again)).state).toBe('review');
      const all = await allItems(admin, again);
      for (const canary of [userAgent, '203.0.113.77', fileName]) {
        expect(JSON.stringify(all)).toContain(canary);
      }
      expect(
        all
          .filter((i) => i.source === 'audit.event_target')
          .some((i) => i.fields.some((f) => f.field === 'metadata' && f.value !== undefined)),
      ).toBe(true);
    } finally {
      for (const event of before) {
        await set(event.id, event.ip, event.agent);
      }
    }
  }, 120_000);

  it('refuses: no privilege, another account, an erasure request, a second build, an expired link', async () => {
    const subject = await subjectWithRequest();
    expectProblem(await crmUser.caller.post(path(subject.accessId)), 403);
    expectProblem(await crmUser.caller.get(path(subject.accessId)), 403);
    const other = await newAccount(server, await signIn(), `Other ${nextTag()}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const otherAdmin = callerOf(server, other.token);
    expectProblem(await otherAdmin.post(path(subject.accessId)), 404);

    // Erasure requests get no package.
    expectProblem(await admin.post(path(subject.requestId)), 409);

    expectStatus(await admin.post(path(subject.accessId)), 202);
    expectProblem(await admin.post(path(subject.accessId)), 409);
    await inReview(admin, subject.accessId);
    expectProblem(await otherAdmin.get(path(subject.accessId)), 404);
    expectProblem(await otherAdmin.get(path(subject.accessId, '/items')), 404);
    expectProblem(await crmUser.caller.get(path(subject.accessId, '/items')), 403);
    expectProblem(
      await crmUser.caller.post(path(subject.accessId, '/release'), { to: 'subject' }),
      403,
    );
    expectProblem(await crmUser.caller.get(path(subject.accessId, '/file')), 403);

    // Released twice at once: exactly one wins.
    const tries = kind === 'postgres' ? 8 : 3;
    const answers = await Promise.all(
      Array.from({ length: tries }, () =>
        admin.post(path(subject.accessId, '/release'), { to: 'subject' }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([
      200,
      ...Array.from({ length: tries - 1 }, () => 409),
    ]);
    const mails = await server.dataSource.query<{ n: number | string }[]>(
      `SELECT COUNT(*) AS n FROM custos_mail_outbox WHERE kind = 'privacy.package' AND recipients LIKE ${p(1)}`,
      [`%${subject.emails[0]}%`],
    );
    expect(Number(mails[0].n)).toBe(1);

    // The link expires: 410 (the clock moved on, simulated on the row).
    const token = await linkTokenFor(subject.emails[0]);
    await server.dataSource.query(
      `UPDATE privacy_package SET expires_at = ${p(1)} WHERE request_id = ${p(2)}`,
      ['2000-01-01T00:00:00.000Z', subject.accessId],
    );
    expectProblem(await publicRefusal(token), 410);

    // Withdrawn: the link names nothing any more.
    expectStatus(await admin.post(path(subject.accessId, '/withdraw')), 200);
    expectProblem(await publicRefusal(token), 404);
  }, 90_000);

  it('carries only the contact’s own properties for portability', async () => {
    const subject = await subjectWithRequest('portability');
    expectStatus(await admin.post(path(subject.accessId)), 202);
    expect((await inReview(admin, subject.accessId)).state).toBe('review');
    const items = await allItems(admin, subject.accessId);
    expect(new Set(items.map((i) => i.source))).toEqual(new Set(['crm.contact']));
    // A request refused meanwhile releases nothing.
    expectStatus(
      await admin.post(`/api/v1/privacy-requests/${subject.accessId}/refuse`, {
        reason: 'Manifestly unfounded',
      }),
      200,
    );
    expectProblem(await admin.post(path(subject.accessId, '/release'), { to: 'staff' }), 409);
  }, 60_000);

  it("is found by the subject's lookup, and the subject's erasure deletes it with its file", async () => {
    const subject = await subjectWithRequest();
    const built = expectStatus(await admin.post(path(subject.accessId)), 202).body as PackageView;
    expect((await inReview(admin, subject.accessId)).state).toBe('review');
    const { pages } = await walkPages<{ source: string; rowId: string }>((after) =>
      admin.post('/api/v1/privacy-lookup', {
        email: subject.emails[0],
        limit: 100,
        ...(after ? { after } : {}),
      }),
    );
    expect(pages.flat()).toContainEqual(
      expect.objectContaining({ source: 'privacy.package', rowId: built.id }),
    );
    const [row] = await server.dataSource.query<{ file_key: string }[]>(
      `SELECT file_key FROM privacy_package WHERE id = ${p(1)}`,
      [built.id],
    );
    const files = server.app.get(FileStore);
    const stored = await files.get(row.file_key);
    expect(stored).not.toBeNull();
    stored?.destroy();

    const erasureId = await openRequest('erasure', subject);
    expect(await erasureStatus(erasureId, erasureBody(subject))).toBe('completed');
    expect(
      await server.dataSource.query(`SELECT id FROM privacy_package WHERE id = ${p(1)}`, [
        built.id,
      ]),
    ).toEqual([]);
    expect(await files.get(row.file_key)).toBeNull();
  }, 90_000);
  it('erases by value the package of a request that named no contact: row, file and key — a copy of the file no longer opens', async () => {
    const email = `${nextTag()}.nocontact@packages.test`;
    const request = async (type: string) => {
      const created = expectStatus(
        await admin.post('/api/v1/privacy-requests', {
          type,
          channel: 'email',
          subjectEmail: email,
        }),
        201,
      ).body as { id: string };
      expectStatus(
        await admin.post(`/api/v1/privacy-requests/${created.id}/transition`, {
          status: 'in_progress',
        }),
        200,
      );
      return created.id;
    };
    const accessId = await request('access');
    const built = expectStatus(await admin.post(path(accessId)), 202).body as PackageView;
    expect((await inReview(admin, accessId)).state).toBe('review');
    const [row] = await server.dataSource.query<{ file_key: string }[]>(
      `SELECT file_key FROM privacy_package WHERE id = ${p(1)}`,
      [built.id],
    );
    const files = server.app.get(FileStore);
    // A copy of the stored file, as a backup of the store holds it.
    const copy: Buffer[] = [];
    for await (const chunk of (await files.get(row.file_key))!) {
      copy.push(chunk as Buffer);
    }

    const erasureId = await request('erasure');
    expect(await erasureStatus(erasureId, { contactIds: [], emails: [email.toUpperCase()] })).toBe(
      'completed',
    );
    expect(
      await server.dataSource.query(`SELECT id FROM privacy_package WHERE id = ${p(1)}`, [
        built.id,
      ]),
    ).toEqual([]);
    expect(await files.get(row.file_key)).toBeNull();
    const holder = fileKeyHolder('privacy_package', built.id);
    const cipher = await server.app.get(AccountCiphers).forAccount(server.accountId);
    const opening = async () => {
      for await (const chunk of cipher.openStream(
        (async function* () {
          yield* copy;
        })(),
        { purpose: 'privacy_package', id: built.id, holder },
      )) {
        expect(chunk).toBeDefined();
      }
    };
    await expect(opening()).rejects.toBeInstanceOf(SubjectErasedError);
  }, 90_000);
});
