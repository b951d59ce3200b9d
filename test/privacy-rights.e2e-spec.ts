import { FixedClock, eventually, testDatabaseKinds } from '@custos/core/testing';
import { DeadlineNotices, PublicPrivacyIntake } from '@custos/privacy';
import { Setup, callerOf, contactEmail, expectStatus, type Caller } from './access/access-support';
import { auditEvents, expectProblem, newAccount, walkPages } from './support/api';
import { exportedFile, parseCsv } from './support/exports';
import { USER_PASSWORD } from './support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

/**
 * Issue 18 items 6, 2 and 7 over HTTP: restriction (exports, audiences and every edit path leave
 * the contact alone until it is lifted), objection (the blacklist), the subject's public intake
 * verified by a mailed code, the deadline notices, and the printable register.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface RequestView {
  id: string;
  status: string;
  receivedOn: string;
  dueOn: string;
}

type User = Awaited<ReturnType<Setup['userWithRole']>>;

describe.each(testDatabaseKinds())('Privacy rights over HTTP on %s', (kind) => {
  let server: TestServer;
  let clock: FixedClock;
  let setup: Setup;
  let admin: Caller;
  let adminToken: string;
  /** Holds manage_privacy_requests and reads every contact. */
  let handler: User;
  /** Holds manage_privacy_requests, reads no contact. */
  let blindHandler: User;
  /** Every CRM privilege on contacts, export and consent, but not manage_privacy_requests. */
  let crmUser: User;
  /** Legitimate interest on e-mail: every contact not objecting, not blacklisted is in. */
  let purposeId: string;

  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');

  beforeAll(async () => {
    clock = new FixedClock(new Date('2026-06-02T09:00:00.000Z'));
    server = await startTestServer(kind, { clock });
    adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    const readAll = [{ objectType: 'contacts', action: 'read', level: 'account' }];
    handler = await setup.userWithRole({
      privileges: readAll,
      taskPrivileges: ['manage_privacy_requests'],
    });
    blindHandler = await setup.userWithRole({ taskPrivileges: ['manage_privacy_requests'] });
    crmUser = await setup.userWithRole({
      privileges: (['read', 'update', 'delete', 'export'] as const).map((action) => ({
        objectType: 'contacts',
        action,
        level: 'account',
      })),
      taskPrivileges: ['export', 'record_consent', 'manage_consent'],
    });
    purposeId = (
      expectStatus(
        await admin.post('/api/v1/consent/purposes', {
          key: 'product_news',
          name: 'Product news',
          legalBasis: 'legitimate_interest',
          channels: ['email', 'sms'],
          notice: 'News about products you bought.',
        }),
        201,
      ).body as { id: string }
    ).id;
  });

  afterAll(() => server?.close());

  /** Fresh tokens: some tests move the clock past a token's life. */
  const signIn = async () => {
    adminToken = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD, server.accountId);
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    for (const user of [handler, blindHandler, crmUser]) {
      user.token = await server.login(user.email, USER_PASSWORD, server.accountId);
      user.caller = callerOf(server, user.token);
    }
  };
  beforeEach(() => signIn());

  const request = async (body: object): Promise<RequestView> =>
    expectStatus(
      await handler.caller.post('/api/v1/privacy-requests', { channel: 'email', ...body }),
      201,
    ).body as RequestView;

  const audience = async (channel = 'email'): Promise<string[]> => {
    const { pages } = await walkPages<{ id: string }>((after) =>
      admin.get(`/api/v1/consent/purposes/${purposeId}/audience`, { channel, limit: 100, after }),
    );
    return pages.flat().map((row) => row.id);
  };

  const exportedIds = async (emails: string[]): Promise<string[]> => {
    const { bytes } = await exportedFile(
      server,
      { token: adminToken, caller: admin },
      {
        source: 'records',
        format: 'csv',
        selection: {
          objectType: 'contacts',
          filterGroups: [{ filters: [{ propertyName: 'email', operator: 'in', values: emails }] }],
        },
        properties: ['email'],
      },
    );
    return parseCsv(bytes)
      .slice(1)
      .map((row) => row[0])
      .sort();
  };

  const firstnameOf = async (id: string): Promise<string> =>
    (
      expectStatus(await admin.get(`/api/v1/objects/contacts/${id}`), 200).body as {
        properties: Record<string, string>;
      }
    ).properties.firstname;

  const importUpdate = async (email: string, firstname: string) => {
    const response = await server
      .http()
      .post('/api/v1/imports')
      .auth(adminToken, { type: 'bearer' })
      .field('objectType', 'contacts')
      .field('mapping', JSON.stringify({ Email: 'email', 'First name': 'firstname' }))
      .field('mode', 'update')
      .field('uniqueProperty', 'email')
      .attach('file', Buffer.from(`Email,First name\n${email},${firstname}\n`, 'utf8'), {
        filename: 'contacts.csv',
        contentType: 'text/csv',
      });
    const { id } = expectStatus(response, 202).body as { id: string };
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const view = expectStatus(await admin.get(`/api/v1/imports/${id}`), 200).body as {
        status: string;
        failed: number;
        updated: number;
      };
      if (view.status === 'done' || view.status === 'failed') {
        const errors = expectStatus(await admin.get(`/api/v1/imports/${id}/errors`), 200).body as {
          results: { reason: string }[];
        };
        return { ...view, reasons: errors.results.map((e) => e.reason) };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`import ${id} did not finish`);
  };

  describe('restriction (Art. 18)', () => {
    it('leaves the contact out of exports and audiences and refuses every edit path until lifted; reads stay', async () => {
      const restrictedEmail = contactEmail('restricted');
      const otherEmail = contactEmail('free');
      const restricted = (await setup.contact({ email: restrictedEmail, firstname: 'Rita' })).id;
      const other = (await setup.contact({ email: otherEmail, firstname: 'Otto' })).id;
      const ask = await request({ type: 'restriction', subjectContactId: restricted });
      const created = expectStatus(
        await handler.caller.post('/api/v1/privacy-restrictions', { requestId: ask.id }),
        201,
      ).body as { id: string; contactId: string };
      expect(created.contactId).toBe(restricted);

      expect(await exportedIds([restrictedEmail, otherEmail])).toEqual([other]);
      const inAudience = await audience();
      expect([restricted, other].filter((id) => inAudience.includes(id))).toEqual([other]);

      const patch = await crmUser.caller.patch(`/api/v1/objects/contacts/${restricted}`, {
        properties: { firstname: 'Changed' },
      });
      expectProblem(patch, 409, { code: 'privacy.subject_restricted', field: 'id' });
      expect(patch.body.detail).toMatch(/restricted/);
      expectProblem(
        await crmUser.caller.post('/api/v1/objects/contacts/batch/update', {
          inputs: [
            { id: other, properties: { firstname: 'Batch' } },
            { id: restricted, properties: { firstname: 'Batch' } },
          ],
        }),
        409,
        { code: 'privacy.subject_restricted', field: 'inputs[1].id' },
      );
      expectProblem(await crmUser.caller.delete(`/api/v1/objects/contacts/${restricted}`), 409, {
        code: 'privacy.subject_restricted',
      });
      const imported = await importUpdate(restrictedEmail, 'Imported');
      expect(imported).toMatchObject({ status: 'done', failed: 1, updated: 0 });
      expect(imported.reasons[0]).toMatch(/restricted/);
      expectProblem(
        await crmUser.caller
          .upload(`/api/v1/objects/contacts/${restricted}/attachments`)
          .attach('file', Buffer.from('a note', 'utf8'), {
            filename: 'note.txt',
            contentType: 'text/plain',
          }),
        409,
        { code: 'privacy.subject_restricted' },
      );
      // Nothing changed, the batch's other record included; the record is still readable.
      expect(await firstnameOf(restricted)).toBe('Rita');
      expect(await firstnameOf(other)).toBe('Otto');
      expectStatus(await crmUser.caller.get(`/api/v1/objects/contacts/${restricted}`), 200);
      // An integration (a private app) syncing records out does not see the contact at all.
      const integration = callerOf(
        server,
        (
          expectStatus(
            await admin.post('/api/v1/api-keys', { name: `sync-${Date.now()}`, scopes: [] }),
            201,
          ).body as { key: string }
        ).key,
      );
      expectProblem(await integration.get(`/api/v1/objects/contacts/${restricted}`), 404);
      const searched = async () =>
        (
          expectStatus(
            await integration.post('/api/v1/objects/contacts/search', {
              filterGroups: [
                {
                  filters: [
                    {
                      propertyName: 'email',
                      operator: 'in',
                      values: [restrictedEmail, otherEmail],
                    },
                  ],
                },
              ],
            }),
            200,
          ).body as { results: { id: string }[] }
        ).results
          .map((r) => r.id)
          .sort();
      expect(await searched()).toEqual([other]);

      const listed = expectStatus(await handler.caller.get('/api/v1/privacy-restrictions'), 200)
        .body as { results: { contactId: string }[] };
      expect(listed.results.map((r) => r.contactId)).toContain(restricted);

      expectStatus(await handler.caller.delete(`/api/v1/privacy-restrictions/${restricted}`), 204);
      expect(await exportedIds([restrictedEmail, otherEmail])).toEqual([other, restricted].sort());
      expect(await audience()).toEqual(expect.arrayContaining([restricted, other]));
      expect(await searched()).toEqual([other, restricted].sort());
      expectStatus(await integration.get(`/api/v1/objects/contacts/${restricted}`), 200);
      expectStatus(
        await crmUser.caller.patch(`/api/v1/objects/contacts/${restricted}`, {
          properties: { firstname: 'Free' },
        }),
        200,
      );
      expectProblem(
        await handler.caller.delete(`/api/v1/privacy-restrictions/${restricted}`),
        404,
        { code: 'privacy.restriction_not_found' },
      );
      const actions = (await auditEvents(server, adminToken, { targetId: created.id })).map(
        (event) => [event.action, event.metadata],
      );
      expect(actions).toEqual([
        ['privacy.restriction_lifted', { requestId: ask.id, contactId: restricted }],
        ['privacy.subject_restricted', { requestId: ask.id, contactId: restricted }],
      ]);
    });

    it('of concurrent restrictions of one contact exactly one is stored', async () => {
      const contact = (await setup.contact()).id;
      const asks = await Promise.all(
        [1, 2, 3, 4].map(() => request({ type: 'restriction', subjectContactId: contact })),
      );
      const statuses = (
        await Promise.all(
          asks.map((ask) =>
            handler.caller.post('/api/v1/privacy-restrictions', { requestId: ask.id }),
          ),
        )
      ).map((response) => response.status);
      expect(statuses.sort()).toEqual([201, 409, 409, 409]);
      const [row] = await server.dataSource.query<{ n: number }[]>(
        `SELECT COUNT(*) AS n FROM privacy_restriction WHERE subject_id = ${p(1)}`,
        [contact],
      );
      expect(Number(row.n)).toBe(1);
    });

    it('refuses restricting to whoever lacks the privilege, cannot read the contact, or names the wrong request', async () => {
      const contact = (await setup.contact()).id;
      const ask = await request({ type: 'restriction', subjectContactId: contact });
      expectProblem(
        await crmUser.caller.post('/api/v1/privacy-restrictions', { requestId: ask.id }),
        403,
      );
      expectProblem(await crmUser.caller.get('/api/v1/privacy-restrictions'), 403);
      // A privacy operator who cannot read the contact does not see it (404), restricts nothing.
      expectProblem(
        await blindHandler.caller.post('/api/v1/privacy-restrictions', { requestId: ask.id }),
        404,
      );
      // A contact of another account does not exist here: 404, nothing stored.
      const other = await newAccount(server, adminToken, `Other ${Date.now()}`, {
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      const foreign = (await new Setup(server, other.token).contact()).id;
      expectProblem(
        await handler.caller.post('/api/v1/privacy-restrictions', {
          requestId: ask.id,
          contactId: foreign,
        }),
        404,
      );
      const [foreignRows] = await server.dataSource.query<{ n: number }[]>(
        `SELECT COUNT(*) AS n FROM privacy_restriction WHERE subject_id = ${p(1)}`,
        [foreign],
      );
      expect(Number(foreignRows.n)).toBe(0);
      const access = await request({ type: 'access', subjectContactId: contact });
      expectProblem(
        await handler.caller.post('/api/v1/privacy-restrictions', { requestId: access.id }),
        409,
        { code: 'privacy.wrong_request_type', field: 'type' },
      );
      const nameOnly = await request({ type: 'restriction', subjectName: 'Nobody Known' });
      expectProblem(
        await handler.caller.post('/api/v1/privacy-restrictions', { requestId: nameOnly.id }),
        422,
        { code: 'privacy.no_subject_contact', field: 'contactId' },
      );
      expectStatus(
        await crmUser.caller.patch(`/api/v1/objects/contacts/${contact}`, {
          properties: { firstname: 'Still editable' },
        }),
        200,
      );

      expectStatus(
        await handler.caller.post('/api/v1/privacy-restrictions', { requestId: ask.id }),
        201,
      );
      expectProblem(
        await handler.caller.post('/api/v1/privacy-restrictions', { requestId: ask.id }),
        409,
        { code: 'privacy.already_restricted' },
      );
      // Lifting is the operator's too: the CRM user gets 403 and the restriction stays; an
      // operator who cannot read the contact lifts nothing either (404, as when restricting).
      expectProblem(await crmUser.caller.delete(`/api/v1/privacy-restrictions/${contact}`), 403);
      expectProblem(
        await blindHandler.caller.delete(`/api/v1/privacy-restrictions/${contact}`),
        404,
      );
      expectProblem(
        await crmUser.caller.patch(`/api/v1/objects/contacts/${contact}`, {
          properties: { firstname: 'Blocked' },
        }),
        409,
        { code: 'privacy.subject_restricted' },
      );
    });
  });

  describe('objection (Art. 21)', () => {
    it("puts the subject's addresses on the blacklist: the next audience leaves them out; audited without them", async () => {
      const email = contactEmail('objecting');
      const contact = (await setup.contact({ email, phone: '+44 20 7946 0018' })).id;
      expect(await audience()).toContain(contact);
      expect(await audience('sms')).toContain(contact);
      const ask = await request({ type: 'objection', subjectContactId: contact });
      expectProblem(await crmUser.caller.post(`/api/v1/privacy-requests/${ask.id}/objection`), 403);
      const applied = expectStatus(
        await handler.caller.post(`/api/v1/privacy-requests/${ask.id}/objection`),
        200,
      ).body as { blacklisted: number };
      expect(applied).toEqual({ blacklisted: 2 });
      expect(await audience()).not.toContain(contact);
      expect(await audience('sms')).not.toContain(contact);
      const { pages } = await walkPages<{ value: string; reason: string }>((after) =>
        admin.get('/api/v1/consent/blacklist', { limit: 100, after }),
      );
      expect(pages.flat()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ value: email, reason: 'objection' }),
          expect.objectContaining({ value: '+442079460018', reason: 'objection' }),
        ]),
      );
      const [event] = await auditEvents(server, adminToken, { targetId: ask.id });
      expect(event).toMatchObject({
        action: 'privacy.objection_applied',
        metadata: { blacklisted: 2 },
      });
      expect(JSON.stringify(event)).not.toContain(email);
      // Applying again changes nothing and says the same.
      expect(
        expectStatus(await handler.caller.post(`/api/v1/privacy-requests/${ask.id}/objection`), 200)
          .body,
      ).toEqual({ blacklisted: 2 });
      const access = await request({ type: 'access', subjectContactId: contact });
      expectProblem(
        await handler.caller.post(`/api/v1/privacy-requests/${access.id}/objection`),
        409,
        { code: 'privacy.wrong_request_type' },
      );
    });
  });

  describe('public intake', () => {
    const publicPost = (path: string, body: object) =>
      server.http().post(`/api/v1/public/privacy-requests${path}`).send(body);

    const codeFor = async (email: string): Promise<string[]> => {
      const rows = await server.dataSource.query<{ text: string }[]>(
        `SELECT text_body AS text FROM custos_mail_outbox WHERE kind = 'privacy.verification' AND recipients LIKE ${p(1)} ORDER BY created_at, id`,
        [`%${email}%`],
      );
      return rows.map((row) => /\b(\d{8})\b/.exec(row.text)![1]);
    };

    const statusOf = async (id: string): Promise<RequestView> =>
      expectStatus(await handler.caller.get(`/api/v1/privacy-requests/${id}`), 200)
        .body as RequestView;

    const submit = async (email: string, accountId = server.accountId) =>
      expectStatus(
        await publicPost('', { accountId, type: 'access', email, name: 'Ada Subject' }),
        202,
      ).body as { requestId: string; status: string };

    it('mails a code; the right code makes the request received, its clock starting then; a replay is refused', async () => {
      // Submitted ten minutes before midnight, verified twenty minutes later: on the next date.
      const now = clock.now().getTime();
      clock.advance(Math.ceil(now / DAY) * DAY - 10 * MINUTE - now + DAY);
      await signIn();
      const submittedOn = clock.now().toISOString().slice(0, 10);
      const email = `subject-${Date.now()}@public.example`;
      const accepted = await submit(email);
      expect(accepted).toEqual({ requestId: expect.any(String), status: 'verification_sent' });
      expect(await statusOf(accepted.requestId)).toMatchObject({ status: 'identity_unverified' });
      const [code] = await codeFor(email);
      const [stored] = await server.dataSource.query<{ hash: string }[]>(
        `SELECT code_hash AS hash FROM privacy_verification WHERE request_id = ${p(1)}`,
        [accepted.requestId],
      );
      expect(stored.hash).not.toContain(code);

      const wrong = code === '00000000' ? '00000001' : '00000000';
      expectProblem(
        await publicPost('/verify', {
          accountId: server.accountId,
          requestId: accepted.requestId,
          code: wrong,
        }),
        422,
        { code: 'privacy.verification_failed', field: 'code' },
      );
      expect(await statusOf(accepted.requestId)).toMatchObject({ status: 'identity_unverified' });

      clock.advance(20 * MINUTE);
      await signIn();
      const verified = expectStatus(
        await publicPost('/verify', {
          accountId: server.accountId,
          requestId: accepted.requestId,
          code,
        }),
        200,
      ).body as RequestView;
      const today = clock.now().toISOString().slice(0, 10);
      expect(today).not.toBe(submittedOn);
      expect(verified).toMatchObject({ status: 'received', receivedOn: today });
      expect(await statusOf(accepted.requestId)).toMatchObject({
        status: 'received',
        receivedOn: today,
        dueOn: verified.dueOn,
      });
      expectProblem(
        await publicPost('/verify', {
          accountId: server.accountId,
          requestId: accepted.requestId,
          code,
        }),
        422,
        { code: 'privacy.verification_failed' },
      );
      const actions = (await auditEvents(server, adminToken, { targetId: accepted.requestId })).map(
        (event) => event.action,
      );
      expect(actions).toEqual(['privacy.request_identity_verified', 'privacy.request_received']);
    });

    it('of concurrent verifications with the right code exactly one succeeds', async () => {
      const email = `race-${Date.now()}@public.example`;
      const accepted = await submit(email);
      const [code] = await codeFor(email);
      const tries = kind === 'postgres' ? 8 : 4;
      const statuses = (
        await Promise.all(
          Array.from({ length: tries }, () =>
            publicPost('/verify', {
              accountId: server.accountId,
              requestId: accepted.requestId,
              code,
            }),
          ),
        )
      ).map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status !== 200).every((status) => status === 422)).toBe(
        true,
      );
      const verified = await auditEvents(server, adminToken, {
        targetId: accepted.requestId,
        action: 'privacy.request_identity_verified',
      });
      expect(verified).toHaveLength(1);
    });

    /**
     * Puts the clock a minute past the next full hour once the hourly sweep's run that fell due
     * (this move's, or an earlier test's) has run: a run left due would close the next requests
     * midway, at the worker's next poll. Within the hour that follows, no run falls due. Then
     * signs the admin in again.
     */
    async function pastTheHourSwept(): Promise<void> {
      const now = clock.now().getTime();
      clock.advance(Math.floor(now / HOUR) * HOUR + HOUR + MINUTE - now);
      await eventually(async () => {
        const [row] = await server.dataSource.query<{ n: number | string }[]>(
          `SELECT COUNT(*) AS n FROM custos_job WHERE name = 'privacy.unverified-requests'
             AND state IN ('waiting', 'active') AND run_at <= ${p(1)}`,
          [clock.now().toISOString()],
        );
        return Number(row.n) === 0 ? true : undefined;
      });
      // The move outlives the admin's access token.
      await signIn();
    }

    it('counts concurrent wrong tries each: five at once use the code up', async () => {
      await pastTheHourSwept();
      const email = `burst-${Date.now()}@public.example`;
      const accepted = await submit(email);
      const [code] = await codeFor(email);
      const wrong = code === '11111111' ? '11111112' : '11111111';
      const body = { accountId: server.accountId, requestId: accepted.requestId };
      const statuses = await Promise.all(
        [1, 2, 3, 4, 5].map(
          async () => (await publicPost('/verify', { ...body, code: wrong })).status,
        ),
      );
      expect(statuses).toEqual([422, 422, 422, 422, 422]);
      expectProblem(await publicPost('/verify', { ...body, code }), 422, {
        code: 'privacy.verification_failed',
      });
      expect(await statusOf(accepted.requestId)).toMatchObject({ status: 'identity_unverified' });
    });

    it('answers alike for an unknown account, storing and mailing nothing', async () => {
      const email = `nobody-${Date.now()}@public.example`;
      const before = await server.dataSource.query<{ n: number }[]>(
        'SELECT COUNT(*) AS n FROM privacy_request',
      );
      const accepted = await submit(email, '0193a6c4-7f1e-7c3a-9d1e-0000000000ff');
      expect(accepted).toEqual({ requestId: expect.any(String), status: 'verification_sent' });
      expect(await codeFor(email)).toEqual([]);
      const after = await server.dataSource.query<{ n: number }[]>(
        'SELECT COUNT(*) AS n FROM privacy_request',
      );
      expect(Number(after[0].n)).toBe(Number(before[0].n));
      expectProblem(
        await publicPost('/verify', {
          accountId: '0193a6c4-7f1e-7c3a-9d1e-0000000000ff',
          requestId: accepted.requestId,
          code: '12345678',
        }),
        422,
        { code: 'privacy.verification_failed' },
      );
    });

    it('refuses an expired code and a code after five wrong tries; the sweep then closes such requests, masked', async () => {
      await pastTheHourSwept();
      const email = `late-${Date.now()}@public.example`;
      const late = await submit(email);
      clock.advance(31 * MINUTE);
      await signIn();
      const [lateCode] = await codeFor(email);
      expectProblem(
        await publicPost('/verify', {
          accountId: server.accountId,
          requestId: late.requestId,
          code: lateCode,
        }),
        422,
        { code: 'privacy.verification_failed' },
      );
      expect(await statusOf(late.requestId)).toMatchObject({ status: 'identity_unverified' });

      const guessedEmail = `guessed-${Date.now()}@public.example`;
      const guessed = await submit(guessedEmail);
      const [code] = await codeFor(guessedEmail);
      const wrong = code === '99999999' ? '99999998' : '99999999';
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expectProblem(
          await publicPost('/verify', {
            accountId: server.accountId,
            requestId: guessed.requestId,
            code: wrong,
          }),
          422,
        );
      }
      expectProblem(
        await publicPost('/verify', {
          accountId: server.accountId,
          requestId: guessed.requestId,
          code,
        }),
        422,
        { code: 'privacy.verification_failed' },
      );
      expect(await statusOf(guessed.requestId)).toMatchObject({ status: 'identity_unverified' });

      // The sweep closes both, masked; a live code's request and staff's own unverified one stay.
      const pendingEmail = `pending-${Date.now()}@public.example`;
      const pending = await submit(pendingEmail);
      const staffs = await request({
        type: 'access',
        subjectEmail: `staff-${Date.now()}@public.example`,
        identityVerified: false,
      });
      await server.app.get(PublicPrivacyIntake).closeUnverified();
      for (const id of [late.requestId, guessed.requestId]) {
        const closed = await statusOf(id);
        expect(closed).toMatchObject({ status: 'refused' });
        expect(JSON.stringify(closed)).not.toMatch(/(late|guessed)-\d+@public/);
        expect(JSON.stringify(closed)).not.toContain('Ada Subject');
        const events = await auditEvents(server, adminToken, { targetId: id });
        expect(events.map((e) => e.action)).toContain('privacy.request_verification_expired');
      }
      expect(await statusOf(pending.requestId)).toMatchObject({ status: 'identity_unverified' });
      expect(await statusOf(staffs.id)).toMatchObject({ status: 'identity_unverified' });
      // Its code still confirms it.
      const [pendingCode] = await codeFor(pendingEmail);
      expectStatus(
        await publicPost('/verify', {
          accountId: server.accountId,
          requestId: pending.requestId,
          code: pendingCode,
        }),
        200,
      );
    });

    it('throttles requests for one address (429 with Retry-After) and refuses bad input naming the field', async () => {
      const email = `flood-${Date.now()}@public.example`;
      for (let n = 0; n < 5; n += 1) {
        await submit(email);
      }
      const refused = await publicPost('', {
        accountId: server.accountId,
        type: 'access',
        email,
      });
      expectProblem(refused, 429, { code: 'privacy.intake_throttled' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(await codeFor(email)).toHaveLength(5);
      expectProblem(
        await publicPost('', { accountId: server.accountId, type: 'access', email: 'not-mail' }),
        422,
        { field: 'email' },
      );
      expectProblem(
        await publicPost('', { accountId: server.accountId, type: 'gossip', email }),
        422,
        { field: 'type' },
      );
    });
  });

  it('notifies the assignee, or every privacy operator, once per flag change: due soon, then overdue', async () => {
    const notices = server.app.get(DeadlineNotices);
    const assigned = await request({
      type: 'access',
      subjectEmail: `clock-${Date.now()}@example.com`,
      assigneeUserId: handler.id,
    });
    const unassigned = await request({
      type: 'erasure',
      subjectEmail: `clock2-${Date.now()}@example.com`,
    });
    const inbox = async (user: User) => {
      const response = expectStatus(
        await user.caller.get('/api/v1/me/notifications', { limit: 100 }),
        200,
      );
      return (
        response.body as {
          results: { kind: string; privacyRequest?: { id: string; flag: string } }[];
        }
      ).results
        .filter((n) => n.kind === 'privacy_request_deadline')
        .map((n) => `${n.privacyRequest?.id}:${n.privacyRequest?.flag}`);
    };
    const count = (list: string[], entry: string) => list.filter((n) => n === entry).length;
    clock.advance(Date.parse(`${assigned.dueOn}T09:00:00.000Z`) - clock.now().getTime() - 3 * DAY);
    await signIn();
    // The server's own schedule may run first (the clock jumped past its period): either way,
    // once the changes are told, a run tells nothing more.
    await notices.notifyChanges();
    expect(await notices.notifyChanges()).toBe(0);
    const soon = await inbox(handler);
    expect(count(soon, `${assigned.id}:due_soon`)).toBe(1);
    expect(count(soon, `${unassigned.id}:due_soon`)).toBe(1);
    // The blind handler may handle requests too: the unassigned one reaches them, the assigned one not.
    const blind = await inbox(blindHandler);
    expect(count(blind, `${unassigned.id}:due_soon`)).toBe(1);
    expect(blind).not.toContain(`${assigned.id}:due_soon`);
    expect(await inbox(crmUser)).toEqual([]);

    clock.advance(5 * DAY);
    await signIn();
    await notices.notifyChanges();
    expect(await notices.notifyChanges()).toBe(0);
    const overdue = await inbox(handler);
    expect(count(overdue, `${assigned.id}:overdue`)).toBe(1);
    expect(count(overdue, `${unassigned.id}:overdue`)).toBe(1);
    expect(count(overdue, `${assigned.id}:due_soon`)).toBe(1);
    const [stored] = await server.dataSource.query<{ refs: string }[]>(
      `SELECT refs FROM custos_notification WHERE topic_id = ${p(1)}`,
      [assigned.id],
    );
    expect(JSON.stringify(stored.refs)).not.toContain('@');
  });

  it('prints the register as an escaped HTML document with print styles', async () => {
    expectStatus(
      await handler.caller.post('/api/v1/privacy-activities', {
        name: `Newsletter <script>alert(1)</script> ${Date.now()}`,
        purposes: ['Send the "monthly" newsletter & offers'],
        lawfulBasis: 'consent',
        controller: 'Acme Ltd, 1 Main St',
        subjectCategories: ['customers'],
        dataCategories: ['user.contact.email'],
        retention: 'Until consent is withdrawn',
        securityMeasures: 'Encryption at rest',
      }),
      201,
    );
    const response = expectStatus(
      await handler.caller.get('/api/v1/privacy-activities/register', { format: 'html' }),
      200,
    );
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    const html = response.text;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Send the &quot;monthly&quot; newsletter &amp; offers');
    expect(html).toContain('@media print');
    expect(html).toContain('user.contact.email');
    expectProblem(
      await crmUser.caller.get('/api/v1/privacy-activities/register', { format: 'html' }),
      403,
    );
  });
});
