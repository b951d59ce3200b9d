import { createHmac } from 'node:crypto';
import { ConsentGate, ConsentLedger } from '@custos/consent';
import { FixedClock, testDatabaseKinds } from '@custos/core/testing';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { auditEvents, expectProblem, newAccount, walkPages } from './support/api';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

/**
 * Issue 17 over HTTP (items 1–5): purposes, consent history under the actor's record rules,
 * one-click unsubscribe and the preference page through signed tokens, blacklist, bounce intake,
 * chain verification — and what a user with one delegated privilege, or a link holder, tries.
 */

const WEBHOOK_SECRET = 'w'.repeat(40);
const DAY = 86_400_000;

interface EventView {
  id: string;
  seq: number;
  status: string;
  source: string;
  purposeId: string;
  channel: string;
  address: string;
  ip: string | null;
  noticeVersion: number | null;
  proof: string | null;
  userAgent: string | null;
}
interface StateView {
  purposeId: string;
  channel: string;
  address: string;
  status: string;
  eventId: string;
  seq: number;
}
interface ContactConsentView {
  states: StateView[];
  events: EventView[];
}

describe.each(testDatabaseKinds())('Consent over HTTP on %s', (kind) => {
  let server: TestServer;
  let clock: FixedClock;
  let setup: Setup;
  let admin: Caller;
  let adminToken: string;
  let purposeId: string;
  let otherPurposeId: string;
  /** Holds record_consent and reads only leads. */
  let recorder: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads every contact, holds no consent privilege. */
  let reader: Awaited<ReturnType<Setup['userWithRole']>>;
  let lead: string;
  let customer: string;

  beforeAll(async () => {
    clock = new FixedClock(new Date());
    server = await startTestServer(kind, {
      clock,
      env: {
        CUSTOS_PUBLIC_URL: 'https://crm.example.test',
        CUSTOS_BOUNCE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        CUSTOS_BOUNCE_RETURN_PATH: 'bounces@mail.example.test',
        // The storm submits forms from one address.
        CUSTOS_FORM_SUBMISSIONS_PER_IP: '1000',
      },
    });
    adminToken = await server.login();
    setup = new Setup(server, adminToken);
    admin = setup.admin;
    const readAll = [{ objectType: 'contacts', action: 'read', level: 'account' }];
    recorder = await setup.userWithRole({
      privileges: readAll,
      taskPrivileges: ['record_consent'],
    });
    await setup.rule({ roleId: recorder.roleId, condition: { lifecyclestage: 'lead' } });
    reader = await setup.userWithRole({ privileges: readAll });
    purposeId = (
      expectStatus(
        await admin.post('/api/v1/consent/purposes', {
          key: 'newsletter',
          name: 'Newsletter',
          legalBasis: 'consent',
          channels: ['email'],
          notice: 'Yes, send me the newsletter.',
        }),
        201,
      ).body as { id: string }
    ).id;
    otherPurposeId = (
      expectStatus(
        await admin.post('/api/v1/consent/purposes', {
          key: 'offers',
          name: 'Offers',
          legalBasis: 'legitimate_interest',
          channels: ['email', 'sms'],
          notice: 'Offers for customers.',
        }),
        201,
      ).body as { id: string }
    ).id;
    lead = (await setup.contact({ lifecyclestage: 'lead' })).id;
    customer = (await setup.contact({ lifecyclestage: 'customer' })).id;
  });

  afterAll(() => server?.close());

  const grant = (contactId: string, as: Caller = admin, status = 'granted') =>
    as.post(`/api/v1/consent/contacts/${contactId}/events`, {
      purposeId,
      channel: 'email',
      status,
      source: 'staff',
      ...(status === 'granted' ? { noticeVersion: 1 } : {}),
    });
  /** The contact's states, and its history walked in pages of 3 (as the admin). */
  const consentOf = async (contactId: string, as: Caller = admin): Promise<ContactConsentView> => {
    const { states } = expectStatus(await as.get(`/api/v1/consent/contacts/${contactId}`), 200)
      .body as Pick<ContactConsentView, 'states'>;
    const { pages } = await walkPages<EventView>((after) =>
      as.get(`/api/v1/consent/contacts/${contactId}/events`, { limit: 3, after }),
    );
    return { states, events: pages.flat() };
  };
  const tokenFor = (contactId: string, purpose = purposeId) =>
    new URL(
      server.app.get(ConsentGate).unsubscribeUrl(server.accountId, contactId, purpose, 'email'),
    ).searchParams.get('token')!;
  const publicCall = () => server.http();
  /** A contacts form asking for an email, with one consent box for `purpose` (notice version 1). */
  const consentForm = async (name: string, purpose: string): Promise<string> =>
    (
      expectStatus(
        await admin.post('/api/v1/forms', {
          name,
          objectType: 'contacts',
          fields: [{ property: 'email', label: 'Email', required: true }],
          consents: [{ purposeId: purpose, channel: 'email', noticeVersion: 1 }],
        }),
        201,
      ).body as { id: string }
    ).id;

  describe('privileges and record rules', () => {
    it('lets only manage_consent create purposes (403 naming nothing else for a recorder)', async () => {
      expectProblem(
        await recorder.caller.post('/api/v1/consent/purposes', {
          key: 'x',
          name: 'X',
          legalBasis: 'consent',
          channels: ['email'],
          notice: 'x',
        }),
        403,
      );
    });

    it('refuses the history to a user without record_consent, even for a contact they read', async () => {
      expectProblem(await reader.caller.get(`/api/v1/consent/contacts/${lead}`), 403);
    });

    it('answers 404 for the consent of a contact the recorder may not read, and records nothing', async () => {
      expectProblem(await recorder.caller.get(`/api/v1/consent/contacts/${customer}`), 404);
      expectProblem(await recorder.caller.get(`/api/v1/consent/contacts/${customer}/events`), 404);
      expectProblem(await grant(customer, recorder.caller), 404);
      expect((await consentOf(customer)).events).toEqual([]);
    });

    it('lets the recorder record and read consent of a lead; audited without personal values', async () => {
      const event = expectStatus(await grant(lead, recorder.caller), 201).body as EventView;
      expect(event).toMatchObject({ status: 'granted', source: 'staff', seq: expect.any(Number) });
      const view = await consentOf(lead, recorder.caller);
      expect(view.events.map((e) => e.id)).toContain(event.id);
      const [audited] = await auditEvents(server, adminToken, {
        action: 'consent.granted',
        targetId: lead,
      });
      expect(audited.metadata).toEqual({
        purposeId,
        channel: 'email',
        source: 'staff',
        eventId: event.id,
      });
    });

    it('names the field of invalid input (unknown purpose, missing notice)', async () => {
      expectProblem(
        await admin.post(`/api/v1/consent/contacts/${lead}/events`, {
          purposeId: customer,
          channel: 'email',
          status: 'granted',
          source: 'staff',
          noticeVersion: 1,
        }),
        422,
        { field: 'purposeId' },
      );
      expectProblem(
        await admin.post(`/api/v1/consent/contacts/${lead}/events`, {
          purposeId,
          channel: 'email',
          status: 'granted',
          source: 'staff',
        }),
        422,
        { field: 'noticeVersion' },
      );
    });
  });

  describe('one-click unsubscribe (RFC 8058)', () => {
    let contactId: string;

    beforeEach(async () => {
      contactId = (await setup.contact({ lifecyclestage: 'lead' })).id;
      expectStatus(await grant(contactId), 201);
    });

    it('GET shows a page with one POST button and changes nothing', async () => {
      const token = tokenFor(contactId);
      const before = await consentOf(contactId);
      const page = expectStatus(
        await publicCall().get('/api/v1/consent/unsubscribe').query({ token }),
        200,
      );
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('<form method="post" action="unsubscribe?token=');
      expect(await consentOf(contactId)).toEqual(before);
    });

    it('POST withdraws at once, with the truncated IP; a second POST appends nothing', async () => {
      const token = tokenFor(contactId);
      for (let i = 0; i < 2; i += 1) {
        const response = await publicCall()
          .post('/api/v1/consent/unsubscribe')
          .query({ token })
          .type('form')
          .send('List-Unsubscribe=One-Click');
        expect({ status: response.status, body: response.body as unknown }).toEqual({
          status: 200,
          body: { status: 'withdrawn' },
        });
      }
      const { events } = await consentOf(contactId);
      expect(events.map((e) => [e.status, e.source])).toEqual([
        ['granted', 'staff'],
        ['withdrawn', 'unsubscribe_link'],
      ]);
      expect(events[1].ip).toMatch(/\.0$|::$/);
      const audited = await auditEvents(server, adminToken, {
        action: 'consent.withdrawn',
        targetId: contactId,
      });
      expect(audited.map((e) => [e.actor.kind, e.metadata.source])).toEqual([
        ['anonymous', 'unsubscribe_link'],
      ]);
      const gate = server.app.get(ConsentGate);
      await expect(
        gate.mayContact({ accountId: server.accountId, contactId, purposeId, channel: 'email' }),
      ).resolves.toEqual({ allowed: false, reason: 'withdrawn' });
    });

    it.each([
      ['altered', (t: string) => t.replace(/.(?=\.)/, (c) => (c === 'A' ? 'B' : 'A'))],
      ['cut', (t: string) => t.slice(0, -2)],
      ['forged', () => `${Buffer.from('{"k":"u"}').toString('base64url')}.c2ln`],
      ['missing', () => ''],
    ])(
      'refuses an %s token with 422 naming `token`, and nothing changes',
      async (_name, change) => {
        const before = await consentOf(contactId);
        expectProblem(
          await publicCall()
            .post('/api/v1/consent/unsubscribe')
            .query({ token: change(tokenFor(contactId)) }),
          422,
          { field: 'token' },
        );
        expect(await consentOf(contactId)).toEqual(before);
      },
    );

    it("refuses another contact's claims under this token's signature", async () => {
      const [, signature] = tokenFor(contactId).split('.');
      const [otherBody] = tokenFor(lead).split('.');
      const before = await consentOf(lead);
      expectProblem(
        await publicCall()
          .post('/api/v1/consent/unsubscribe')
          .query({ token: `${otherBody}.${signature}` }),
        422,
        { field: 'token' },
      );
      expect(await consentOf(lead)).toEqual(before);
    });

    it('refuses an expired token with 410, and nothing changes', async () => {
      clock.advance(-401 * DAY);
      const token = tokenFor(contactId);
      clock.advance(401 * DAY);
      const before = await consentOf(contactId);
      expectProblem(await publicCall().post('/api/v1/consent/unsubscribe').query({ token }), 410, {
        field: 'token',
      });
      expect(await consentOf(contactId)).toEqual(before);
    });

    it('still withdraws with a token issued before a re-consent (documented choice)', async () => {
      const token = tokenFor(contactId);
      expectStatus(await publicCall().post('/api/v1/consent/unsubscribe').query({ token }), 200);
      expectStatus(await grant(contactId), 201);
      expectStatus(await publicCall().post('/api/v1/consent/unsubscribe').query({ token }), 200);
      const { events } = await consentOf(contactId);
      expect(events.map((e) => e.status)).toEqual(['granted', 'withdrawn', 'granted', 'withdrawn']);
    });

    it('the preference page lists the purposes of the channel and changes one by a form post', async () => {
      const token = tokenFor(contactId);
      const page = expectStatus(
        await publicCall().get('/api/v1/consent/preferences').query({ token }),
        200,
      );
      expect(page.text).toContain('Newsletter');
      expect(page.text).toContain('Offers');
      const response = await publicCall()
        .post('/api/v1/consent/preferences')
        .query({ token })
        .set('Accept', 'text/html')
        .type('form')
        .send({ purposeId: otherPurposeId, action: 'withdraw' });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      const { states } = await consentOf(contactId);
      expect(states).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ purposeId: otherPurposeId, status: 'withdrawn' }),
          expect.objectContaining({ purposeId, status: 'granted' }),
        ]),
      );
    });
  });

  describe('blacklist', () => {
    it('is for manage_consent only; adds normalised, lifts, audits without the address', async () => {
      expectProblem(
        await recorder.caller.post('/api/v1/consent/blacklist', { address: 'x@example.com' }),
        403,
      );
      expectProblem(await recorder.caller.get('/api/v1/consent/blacklist'), 403);
      const added = expectStatus(
        await admin.post('/api/v1/consent/blacklist', { address: ' Spam.Me@Example.COM ' }),
        201,
      ).body as { id: string; value: string };
      expect(added.value).toBe('spam.me@example.com');
      const list = expectStatus(await admin.get('/api/v1/consent/blacklist'), 200).body as {
        results: { value: string }[];
      };
      expect(list.results.map((e) => e.value)).toContain('spam.me@example.com');
      expectStatus(
        await admin.post('/api/v1/consent/blacklist/lift', { address: 'spam.me@example.com' }),
        204,
      );
      expectProblem(
        await admin.post('/api/v1/consent/blacklist/lift', { address: 'spam.me@example.com' }),
        404,
      );
      expectProblem(
        await admin.post('/api/v1/consent/blacklist', { address: 'not an address' }),
        422,
        {
          field: 'address',
        },
      );
      const events = await auditEvents(server, adminToken, { action: 'consent.' });
      expect(JSON.stringify(events)).not.toContain('spam.me');
    });
  });

  describe('bounce webhook', () => {
    const verp = (address: string) =>
      server.app.get(ConsentGate).returnPath(server.accountId, address);
    const send = (body: object, secret = WEBHOOK_SECRET) => {
      const text = JSON.stringify(body);
      return publicCall()
        .post('/api/v1/consent/bounces/webhook')
        .set('Content-Type', 'application/json')
        .set(
          'X-Custos-Signature',
          `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`,
        )
        .send(text);
    };

    it('refuses a body not signed with the secret (401) and counts nothing', async () => {
      expectProblem(
        await send({ recipient: verp('b1@example.com'), outcome: 'hard_bounce' }, 'x'.repeat(40)),
        401,
      );
      const list = (
        expectStatus(await admin.get('/api/v1/consent/bounces', { limit: 100 }), 200).body as {
          results: { address: string }[];
        }
      ).results;
      expect(list.map((b) => b.address)).not.toContain('b1@example.com');
    });

    it('counts hard bounces from the provider and from a DSN; admins list them', async () => {
      expect(
        expectStatus(await send({ recipient: verp('b2@example.com'), outcome: 'hard_bounce' }), 200)
          .body,
      ).toEqual({ blacklisted: false });
      const dsn = [
        `To: <${verp('b2@example.com')}>`,
        'Content-Type: multipart/report; report-type=delivery-status; boundary="x"',
        '',
        '--x',
        'Content-Type: message/delivery-status',
        '',
        'Final-Recipient: rfc822; b2@example.com',
        'Action: failed',
        'Status: 5.1.1',
        '--x--',
      ].join('\r\n');
      expectStatus(await send({ dsn }), 200);
      expectProblem(
        await send({ recipient: 'someone@else.example', outcome: 'hard_bounce' }),
        422,
        {
          field: 'recipient',
        },
      );
      const list = (
        expectStatus(await admin.get('/api/v1/consent/bounces', { limit: 100 }), 200).body as {
          results: { address: string; bounces: number }[];
        }
      ).results;
      expect(list).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ address: 'b2@example.com', bounces: 2 }),
        ]),
      );
      expectProblem(await recorder.caller.get('/api/v1/consent/bounces'), 403);
    });

    it('counts no bounce returned to a VERP address this server did not make (anyone can mail one)', async () => {
      // The account id is in every mail's Return-Path: an outsider can send DSNs (or mails that
      // bounce) to bounces+<account>=<victim>@host, through the operator's signed intake.
      const made = verp('victim@example.com');
      const untagged = made.replace(/\+[0-9a-f]{16}=/, '+');
      const otherTag = made.replace(/\+[0-9a-f]{16}=/, `+${'0'.repeat(16)}=`);
      const otherAddress = made.replace('=victim=', '=other=');
      for (const forged of [untagged, otherTag, otherAddress]) {
        const dsn = [`To: <${forged}>`, '', 'Action: failed', 'Status: 5.1.1'].join('\r\n');
        expectProblem(await send({ dsn }), 422, { field: 'dsn' });
        expectProblem(await send({ recipient: forged, outcome: 'hard_bounce' }), 422, {
          field: 'recipient',
        });
      }
      const list = (
        expectStatus(await admin.get('/api/v1/consent/bounces', { limit: 100 }), 200).body as {
          results: { address: string }[];
        }
      ).results.map((b) => b.address);
      expect(list).not.toContain('victim@example.com');
      expect(list).not.toContain('other@example.com');
      // Its own return path, in any case an MTA may give it back, still counts.
      expectStatus(await send({ recipient: made.toUpperCase(), outcome: 'hard_bounce' }), 200);
    });
  });

  describe('consent boxes on forms', () => {
    let formId: string;

    beforeAll(async () => {
      formId = await consentForm('Newsletter sign-up', purposeId);
    });

    const submit = (email: string, consents?: string[]) =>
      publicCall()
        .post(`/api/v1/forms/${formId}/submissions`)
        .set('User-Agent', 'Browser/1.0')
        .send({ fields: { email }, ...(consents ? { consents } : {}) });
    const newestSubmission = async () =>
      (
        expectStatus(await admin.get(`/api/v1/forms/${formId}/submissions`, { limit: 1 }), 200)
          .body as { results: { id: string; recordId: string }[] }
      ).results[0];

    it('refuses a box naming a notice version the purpose does not have', async () => {
      expectProblem(
        await admin.post('/api/v1/forms', {
          name: 'Bad',
          objectType: 'contacts',
          fields: [{ property: 'email', label: 'Email', required: true }],
          consents: [{ purposeId, channel: 'email', noticeVersion: 9 }],
        }),
        422,
        { field: 'consents[0].noticeVersion' },
      );
    });

    it('records a ticked box with its proof (form, submission, notice version, truncated IP, user agent)', async () => {
      expectStatus(await submit(`ticked-${Date.now()}@example.com`, [purposeId]), 202);
      const submission = await newestSubmission();
      const { events } = await consentOf(submission.recordId);
      expect(events).toEqual([
        expect.objectContaining({
          status: 'granted',
          source: 'form',
          noticeVersion: 1,
          proof: JSON.stringify({ formId, submissionId: submission.id }),
          userAgent: 'Browser/1.0',
          ip: expect.stringMatching(/\.0$|::$/),
        }),
      ]);
    });

    it('records nothing for an unticked box', async () => {
      expectStatus(await submit(`unticked-${Date.now()}@example.com`), 202);
      const submission = await newestSubmission();
      expect((await consentOf(submission.recordId)).events).toEqual([]);
    });

    it('refuses a ticked box the form does not have, naming it, and creates nothing', async () => {
      expectProblem(await submit(`stray-${Date.now()}@example.com`, [otherPurposeId]), 422, {
        field: 'consents[0]',
      });
    });
  });

  it('the audience holds the consented, unblocked contacts the caller may read (SQL, record rules)', async () => {
    const email = (name: string) => `${name}-${Date.now()}@audience.example`;
    const a = (await setup.contact({ lifecyclestage: 'lead', email: email('a') })).id;
    const b = (await setup.contact({ lifecyclestage: 'customer', email: email('b') })).id;
    const c = (await setup.contact({ lifecyclestage: 'lead', email: email('c') })).id;
    const dEmail = email('d');
    const d = (await setup.contact({ lifecyclestage: 'lead', email: dEmail })).id;
    for (const id of [a, b, d]) {
      expectStatus(await grant(id), 201);
    }
    expectStatus(
      await admin.post('/api/v1/consent/blacklist', { address: dEmail.toUpperCase() }),
      201,
    );
    const audience = async (as: Caller) =>
      (
        expectStatus(
          await as.get(`/api/v1/consent/purposes/${purposeId}/audience`, {
            channel: 'email',
            limit: 100,
          }),
          200,
        ).body as { results: { id: string }[] }
      ).results.map((r) => r.id);
    const all = await audience(admin);
    expect([a, b, c, d].filter((id) => all.includes(id))).toEqual([a, b]);
    const ruled = await audience(recorder.caller);
    expect([a, b, c, d].filter((id) => ruled.includes(id))).toEqual([a]);
    expectProblem(
      await reader.caller.get(`/api/v1/consent/purposes/${purposeId}/audience`, {
        channel: 'email',
      }),
      403,
    );
    expectProblem(
      await admin.get(`/api/v1/consent/purposes/${purposeId}/audience`, { channel: 'sms' }),
      422,
      {
        field: 'channel',
      },
    );
  });

  it('double opt-in from a form: pending, a confirmation mail, GET changes nothing, POST confirms with its time', async () => {
    const doubleId = (
      expectStatus(
        await admin.post('/api/v1/consent/purposes', {
          key: `double_${Date.now()}`,
          name: 'Weekly digest',
          legalBasis: 'consent',
          channels: ['email'],
          doubleOptIn: true,
          notice: 'Send me the weekly digest.',
        }),
        201,
      ).body as { id: string }
    ).id;
    const formId = await consentForm('Digest', doubleId);
    const address = `double-${Date.now()}@example.com`;
    expectStatus(
      await publicCall()
        .post(`/api/v1/forms/${formId}/submissions`)
        .send({ fields: { email: address }, consents: [doubleId] }),
      202,
    );
    const [submission] = (
      expectStatus(await admin.get(`/api/v1/forms/${formId}/submissions`), 200).body as {
        results: { recordId: string }[];
      }
    ).results;
    const contactId = submission.recordId;
    expect((await consentOf(contactId)).states).toEqual([
      expect.objectContaining({ purposeId: doubleId, status: 'pending' }),
    ]);
    const [mail] = await server.dataSource.query<{ text: string }[]>(
      `SELECT text_body AS text FROM custos_mail_outbox WHERE kind = 'consent.confirmation' AND recipients LIKE ${kind === 'postgres' ? '$1' : '?'}`,
      [`%${address}%`],
    );
    const link = new URL(/https:\/\/\S+/.exec(mail.text)![0]);
    expect(link.pathname).toBe('/api/v1/consent/confirm');
    const token = link.searchParams.get('token')!;
    expectStatus(await publicCall().get('/api/v1/consent/confirm').query({ token }), 200);
    expect((await consentOf(contactId)).states[0].status).toBe('pending');
    expect(
      expectStatus(await publicCall().post('/api/v1/consent/confirm').query({ token }), 200).body,
    ).toEqual({ status: 'granted' });
    const { events } = await consentOf(contactId);
    expect(events.map((e) => [e.status, e.source])).toEqual([
      ['pending', 'form'],
      ['granted', 'confirmation_link'],
    ]);
    expectProblem(await publicCall().post('/api/v1/consent/unsubscribe').query({ token }), 422, {
      field: 'token',
    });
  });

  it("keeps accounts apart: another account's admin sees neither our purposes nor our contacts' consent", async () => {
    const other = await newAccount(server, adminToken, `Other ${Date.now()}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    const otherAdmin = callerOf(server, other.token);
    expectProblem(await otherAdmin.get(`/api/v1/consent/purposes/${purposeId}`), 404);
    expectProblem(await otherAdmin.get(`/api/v1/consent/contacts/${lead}/events`), 404);
    expectProblem(await grant(lead, otherAdmin), 404);
    const list = expectStatus(await otherAdmin.get('/api/v1/consent/purposes'), 200)
      .body as unknown[];
    expect(list).toEqual([]);
  });

  it('verifies the chain for manage_consent only', async () => {
    expect(expectStatus(await admin.get('/api/v1/consent/verify'), 200).body).toMatchObject({
      valid: true,
    });
    expectProblem(await recorder.caller.get('/api/v1/consent/verify'), 403);
    expectProblem(await callerOf(server, null).get('/api/v1/consent/verify'), 401);
  });

  if (kind === 'postgres') {
    it('concurrent grants, withdrawals and form submissions leave each state equal to the replay, every chain valid, no request failing', async () => {
      const contactId = (await setup.contact({ lifecyclestage: 'lead' })).id;
      const token = tokenFor(contactId);
      const formId = await consentForm('Storm', purposeId);
      const requests = Array.from({ length: 48 }, (_, i) => {
        switch (i % 4) {
          case 0:
            return grant(contactId, admin, 'granted');
          case 1:
            return grant(contactId, admin, 'withdrawn');
          case 2:
            return publicCall().post('/api/v1/consent/unsubscribe').query({ token });
          default:
            return publicCall()
              .post(`/api/v1/forms/${formId}/submissions`)
              .send({
                fields: { email: `storm-${i}-${Date.now()}@example.com` },
                consents: [purposeId],
              });
        }
      });
      const statuses = (await Promise.all(requests)).map((r) => r.status);
      expect(statuses.filter((s) => ![200, 201, 202].includes(s))).toEqual([]);
      const submissions = (
        expectStatus(await admin.get(`/api/v1/forms/${formId}/submissions`, { limit: 100 }), 200)
          .body as { results: { status: string; recordId: string }[] }
      ).results;
      expect(submissions.map((s) => s.status)).toEqual(Array(12).fill('created'));
      for (const id of [contactId, ...submissions.map((s) => s.recordId)]) {
        const { states, events } = await consentOf(id);
        const last = new Map<string, EventView>();
        events.forEach((e) => last.set(`${e.purposeId}|${e.channel}|${e.address}`, e));
        expect(states.map((s) => [s.address, s.status, s.eventId]).sort()).toEqual(
          [...last.values()].map((e) => [e.address, e.status, e.id]).sort(),
        );
      }
      const ledger = server.app.get(ConsentLedger);
      await expect(ledger.verify(server.accountId)).resolves.toMatchObject({ valid: true });
      expect(expectStatus(await admin.get('/api/v1/audit-log/verify'), 200).body).toMatchObject({
        valid: true,
      });
    });
  }
});
