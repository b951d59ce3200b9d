import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Blacklist, ConsentGate } from '@custos/consent';
import { MailOutbox } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { startTestSmtpServer, type TestSmtpServer } from '@custos/core/testing';
import { Setup, expectStatus, unique, type Caller } from './access/access-support';
import { createProperty, uniqueName } from './crm/crm-support';
import { auditEvents, expectProblem } from './support/api';
import { verifyDkim } from './support/dkim';
import { startTestServer, type TestServer } from './support/test-server';
import { MailingSender } from '../src/crm/mailings';

/**
 * Mass mailings (issue 17 item 7) over HTTP, through the real job, outbox and an SMTP server
 * started here: one-click unsubscribe under a valid DKIM signature, consent and the blacklist
 * when the mails are written, template tokens and who may use them, record rules of the sender,
 * and a mailing sent once under concurrent sends.
 */

const PUBLIC_URL = 'https://crm.example.test';
const WEBHOOK_SECRET = 'w'.repeat(40);

interface SenderOf {
  id: string;
  label: string;
  superAdmin: boolean;
}

interface MailingView {
  id: string;
  status: string;
  failureReason: string | null;
  finishedAt: string | null;
  totals: {
    queued: number;
    sent: number;
    skipped: number;
    bounced: number;
    skippedBy: Record<string, number>;
  };
}
interface RecipientView {
  contactId: string;
  status: string;
  reason: string | null;
}

describe.each(testDatabaseKinds())('Mailings on %s', (kind) => {
  let smtp: TestSmtpServer;
  let env: Record<string, string>;
  let server: TestServer;
  /** The admin as a mailing keeps its sender. */
  let adminSender: SenderOf;
  let setup: Setup;
  let admin: Caller;
  let adminToken: string;
  let purposeId: string;
  let publicKey: ReturnType<typeof generateKeyPairSync>['publicKey'];
  let sensitive: string;
  let hidden: string;
  /** Reads every contact, may send mailings. */
  let sender: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads only leads, may send mailings. */
  let restricted: Awaited<ReturnType<Setup['userWithRole']>>;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKey = keys.publicKey;
    const keyFile = join(mkdtempSync(join(tmpdir(), 'custos-dkim-')), 'dkim.pem');
    writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    env = {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'news@example.test',
      MAIL_DKIM_DOMAIN: 'example.test',
      MAIL_DKIM_SELECTOR: 'custos',
      MAIL_DKIM_PRIVATE_KEY_FILE: keyFile,
      CUSTOS_PUBLIC_URL: PUBLIC_URL,
      CUSTOS_BOUNCE_RETURN_PATH: 'bounces@example.test',
      CUSTOS_BOUNCE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      CUSTOS_UNSUBSCRIBE_MAILBOX: 'unsubscribe@example.test',
      CUSTOS_JOB_POLL_MS: '50',
    };
    server = await startTestServer(kind, { env });
    adminToken = await server.login();
    const me = expectStatus(
      await server.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' }),
      200,
    ).body as { user: { id: string; email: string } };
    adminSender = { id: me.user.id, label: me.user.email, superAdmin: true };
    setup = new Setup(server, adminToken);
    admin = setup.admin;
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
    expectStatus(
      await admin.post('/api/v1/settings/sensitive-data/enable', {
        categories: ['health_data'],
        acceptTerms: true,
      }),
      200,
    );
    sensitive = uniqueName('dx');
    await createProperty(admin, 'contacts', {
      name: sensitive,
      label: sensitive,
      type: 'string',
      sensitivity: { phi: true, highlySensitive: false },
    });
    hidden = uniqueName('memo');
    await createProperty(admin, 'contacts', { name: hidden, label: hidden, type: 'string' });
    await setup.fieldPermissions('contacts', hidden, {
      view: [{ type: 'super_admins' }],
      edit: [{ type: 'super_admins' }],
    });
    const readAll = [{ objectType: 'contacts', action: 'read', level: 'account' }];
    sender = await setup.userWithRole({ privileges: readAll, taskPrivileges: ['send_mailings'] });
    restricted = await setup.userWithRole({
      privileges: readAll,
      taskPrivileges: ['send_mailings'],
    });
    await setup.rule({ roleId: restricted.roleId, condition: { lifecyclestage: 'lead' } });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  /** A contact of a batch (tagged by `company`), with the newsletter consent granted unless told. */
  const contact = async (
    tag: string,
    properties: Record<string, unknown> = {},
    consent = true,
  ): Promise<{ id: string; email: string }> => {
    const email = `${unique('c')}@example.org`.toLowerCase();
    const { id } = await setup.contact({
      email,
      firstname: 'Ada',
      company: tag,
      lifecyclestage: 'lead',
      ...properties,
    });
    if (consent) {
      expectStatus(
        await admin.post(`/api/v1/consent/contacts/${id}/events`, {
          purposeId,
          channel: 'email',
          status: 'granted',
          source: 'staff',
          noticeVersion: 1,
        }),
        201,
      );
    }
    return { id, email };
  };
  const draft = async (
    tag: string,
    as: Caller = admin,
    templates: { subjectTemplate?: string; bodyTemplate?: string; purposeId?: string } = {},
  ): Promise<MailingView> =>
    expectStatus(
      await as.post('/api/v1/mailings', {
        name: unique('mailing'),
        purposeId,
        filterGroups: [{ filters: [{ propertyName: 'company', operator: 'eq', value: tag }] }],
        subjectTemplate: 'News for {{firstname}}',
        bodyTemplate: 'Dear {{ firstname }},\nhere is the news.',
        ...templates,
      }),
      201,
    ).body as MailingView;
  /** Sends and waits until the job is done; returns the mailing and its recipients. */
  const sendAndWait = async (
    mailingId: string,
    as: Caller = admin,
  ): Promise<{ mailing: MailingView; recipients: RecipientView[] }> => {
    expectStatus(await as.post(`/api/v1/mailings/${mailingId}/send`), 202);
    return waitUntil(mailingId, 'sent', as);
  };
  /** Waits until the mailing is in `status`; returns it and its recipients. */
  const waitUntil = async (
    mailingId: string,
    status: string,
    as: Caller = admin,
    seconds = 20,
  ): Promise<{ mailing: MailingView; recipients: RecipientView[] }> => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const mailing = expectStatus(await as.get(`/api/v1/mailings/${mailingId}`), 200)
        .body as MailingView;
      if (mailing.status === status) {
        const recipients = (
          expectStatus(await as.get(`/api/v1/mailings/${mailingId}/recipients`), 200).body as {
            results: RecipientView[];
          }
        ).results;
        return { mailing, recipients };
      }
      if (Date.now() > deadline) {
        throw new Error(`Mailing still ${mailing.status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const mailsTo = (email: string) => smtp.received.filter((m) => m.envelopeTo.includes(email));
  const waitForMail = async (email: string, count: number) => {
    const deadline = Date.now() + 20_000;
    while (mailsTo(email).length < count) {
      if (Date.now() > deadline) {
        throw new Error(`No mail to ${email}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return mailsTo(email);
  };

  it('mails through SMTP with a valid DKIM signature over List-Unsubscribe, and an unsubscribe POST suppresses the next mailing (a GET changes nothing)', async () => {
    const tag = uniqueName('co');
    const ada = await contact(tag);
    const first = await draft(tag);
    const { mailing, recipients } = await sendAndWait(first.id);
    expect(mailing.totals).toMatchObject({ sent: 1, skipped: 0, queued: 0 });
    expect(recipients).toEqual([
      expect.objectContaining({ contactId: ada.id, status: 'sent', reason: null }),
    ]);
    const [received] = await waitForMail(ada.email, 1);
    expect(received.parsed.subject).toBe('News for Ada');
    expect(received.parsed.text).toContain('Dear Ada,');
    expect(received.envelopeFrom).toMatch(/^bounces\+.+@example\.test$/);
    // Unfolded (RFC 5322 2.2.3): a long field is folded onto the next line.
    const header = (key: string) =>
      received.parsed.headerLines
        .find((h) => h.key === key)
        ?.line.replace(/:\r\n\s+/, ': ')
        .replace(/\r\n\s+/g, ' ');
    // The one-click URL first, then the unsubscribe mailbox with the same token in the subject.
    const unsubscribe =
      /^List-Unsubscribe: <(https:\/\/crm\.example\.test\/[^>]+)>, <mailto:unsubscribe@example\.test\?subject=unsubscribe%20([^>]+)>$/.exec(
        header('list-unsubscribe') ?? '',
      );
    expect(unsubscribe).not.toBeNull();
    expect(new URL(unsubscribe![1]).searchParams.get('token')).toBe(unsubscribe![2]);
    expect(header('list-unsubscribe-post')).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    const dkim = verifyDkim(received.raw, publicKey);
    expect(dkim).toMatchObject({
      bodyHashMatches: true,
      signatureValid: true,
      domain: 'example.test',
      selector: 'custos',
    });
    // The check is not vacuous: an altered unsubscribe header breaks the signature.
    const altered = Buffer.from(
      received.raw.toString('latin1').replace('token=', 'token=x'),
      'latin1',
    );
    expect(verifyDkim(altered, publicKey).signatureValid).toBe(false);
    expect(dkim.signedHeaders).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'from', 'subject']),
    );

    const url = new URL(unsubscribe![1]);
    const path = `${url.pathname}${url.search}`;
    const stateOf = async () =>
      (
        expectStatus(await admin.get(`/api/v1/consent/contacts/${ada.id}`), 200).body as {
          states: { purposeId: string; status: string }[];
        }
      ).states.find((s) => s.purposeId === purposeId)?.status;
    expectStatus(await server.http().get(path), 200);
    await expect(stateOf()).resolves.toBe('granted');
    expectStatus(
      await server.http().post(path).type('form').send('List-Unsubscribe=One-Click'),
      200,
    );
    await expect(stateOf()).resolves.toBe('withdrawn');

    const second = await sendAndWait((await draft(tag)).id);
    expect(second.recipients).toEqual([
      expect.objectContaining({ contactId: ada.id, status: 'skipped', reason: 'opted_out' }),
    ]);
    expect(second.mailing.totals).toMatchObject({ sent: 0, skipped: 1 });
    expect(second.mailing.totals.skippedBy.opted_out).toBe(1);
    expect(mailsTo(ada.email)).toHaveLength(1);
  });

  it('skips an address blacklisted after the mailing was made, and says why for each skipped contact', async () => {
    const tag = uniqueName('co');
    const kept = await contact(tag);
    const banned = await contact(tag);
    const unasked = await contact(tag, {}, false);
    const mailing = await draft(tag);
    expectStatus(
      await admin.post('/api/v1/consent/blacklist', { address: banned.email.toUpperCase() }),
      201,
    );
    const { recipients, mailing: done } = await sendAndWait(mailing.id);
    const byContact = new Map(recipients.map((r) => [r.contactId, r]));
    expect(byContact.get(kept.id)).toMatchObject({ status: 'sent' });
    expect(byContact.get(banned.id)).toMatchObject({ status: 'skipped', reason: 'blacklisted' });
    expect(byContact.get(unasked.id)).toMatchObject({ status: 'skipped', reason: 'no_consent' });
    await waitForMail(kept.email, 1);
    expect(mailsTo(banned.email)).toHaveLength(0);
    expect(mailsTo(unasked.email)).toHaveLength(0);
    // The audit of the mailing carries counts, never an address.
    const [sent] = await auditEvents(server, adminToken, {
      action: 'mailing.sent',
      targetId: done.id,
    });
    expect(sent.metadata).toMatchObject({
      totals: { sent: 1, skipped: 2, queued: 0, skippedBy: { blacklisted: 1, no_consent: 1 } },
    });
    expect(JSON.stringify(sent)).not.toContain('@example.org');
  });

  it('skips a contact whose e-mail is no mail address (no_address) and mails the others: one such contact does not fail the mailing', async () => {
    // `email` is a plain string: any writer (the API, an import, a public form) can store this.
    const tag = uniqueName('co');
    const kept = await contact(tag);
    const odd = await contact(tag, { email: 'Eve <eve@example.org>, all@example.org' });
    const { recipients, mailing } = await sendAndWait((await draft(tag)).id);
    const byContact = new Map(recipients.map((r) => [r.contactId, r]));
    expect(mailing).toMatchObject({ status: 'sent', failureReason: null });
    expect(byContact.get(kept.id)).toMatchObject({ status: 'sent' });
    expect(byContact.get(odd.id)).toMatchObject({ status: 'skipped', reason: 'no_address' });
    await waitForMail(kept.email, 1);
    expect(mailsTo('all@example.org')).toHaveLength(0);
  });

  it('applies the blacklist again when the mails are written: an address blacklisted after the audience was built is skipped', async () => {
    const tag = uniqueName('co');
    const kept = await contact(tag);
    const late = await contact(tag);
    const mailing = await draft(tag);
    const gate = server.app.get(ConsentGate);
    const check = gate.blockedRecipients.bind(gate);
    // Blacklisted inside the write batch, after its audience SQL ran and just before the check.
    const blocked = jest
      .spyOn(ConsentGate.prototype, 'blockedRecipients')
      .mockImplementationOnce(async (accountId, to, kind) => {
        await server.app.get(Blacklist).add(late.email);
        return check(accountId, to, kind);
      });
    try {
      const { recipients } = await sendAndWait(mailing.id);
      const byContact = new Map(recipients.map((r) => [r.contactId, r]));
      expect(byContact.get(kept.id)).toMatchObject({ status: 'sent' });
      expect(byContact.get(late.id)).toMatchObject({ status: 'skipped', reason: 'blacklisted' });
      expect(blocked).toHaveBeenCalledWith(
        server.accountId,
        expect.arrayContaining([late.email]),
        'marketing',
      );
    } finally {
      blocked.mockRestore();
    }
    await waitForMail(kept.email, 1);
    expect(mailsTo(late.email)).toHaveLength(0);
  });

  it('refuses a template naming a sensitive property (422 naming the template) or an unknown one', async () => {
    const body = {
      name: 'x',
      purposeId,
      subjectTemplate: 'Hi',
      bodyTemplate: `Your diagnosis: {{${sensitive}}}`,
    };
    expectProblem(await admin.post('/api/v1/mailings', body), 422, {
      code: 'crm.mailing_sensitive_token',
      field: 'bodyTemplate',
    });
    expectProblem(
      await admin.post('/api/v1/mailings', { ...body, subjectTemplate: '{{nosuchthing}}' }),
      422,
      { code: 'crm.mailing_unknown_token', field: 'subjectTemplate' },
    );
  });

  it('refuses a token or a filter on a property the sender may not read (403), which an admin may use', async () => {
    const tag = uniqueName('co');
    const templates = { subjectTemplate: `Memo {{${hidden}}}` };
    expectProblem(
      await sender.caller.post('/api/v1/mailings', {
        name: 'x',
        purposeId,
        subjectTemplate: templates.subjectTemplate,
        bodyTemplate: 'x',
      }),
      403,
      { code: 'crm.mailing_unreadable_token', field: 'subjectTemplate' },
    );
    await expect(draft(tag, admin, templates)).resolves.toMatchObject({ status: 'draft' });
    // Nor can they select contacts by it (no oracle on a value they may not read).
    expectProblem(
      await sender.caller.post('/api/v1/mailings', {
        name: 'x',
        purposeId,
        filterGroups: [{ filters: [{ propertyName: hidden, operator: 'eq', value: 'x' }] }],
        subjectTemplate: 'x',
        bodyTemplate: 'x',
      }),
      403,
      { field: 'filterGroups[0].filters[0].propertyName' },
    );
  });

  it('mails only the contacts a restricted sender may read, and hides other mailings from them', async () => {
    const tag = uniqueName('co');
    const lead = await contact(tag);
    const customer = await contact(tag, { lifecyclestage: 'customer' });
    const mailing = await draft(tag, restricted.caller);
    const { recipients } = await sendAndWait(mailing.id, restricted.caller);
    expect(recipients.map((r) => [r.contactId, r.status])).toEqual([[lead.id, 'sent']]);
    await waitForMail(lead.email, 1);
    expect(mailsTo(customer.email)).toHaveLength(0);
    const theirs = await draft(tag);
    expectProblem(await restricted.caller.get(`/api/v1/mailings/${theirs.id}`), 404);
    expectProblem(await restricted.caller.post(`/api/v1/mailings/${theirs.id}/send`), 404);
    expectProblem(await sender.caller.get(`/api/v1/mailings/${mailing.id}`), 404);
  });

  it('never mails a contact whose processing is restricted (GDPR Art. 18)', async () => {
    const tag = uniqueName('co');
    const free = await contact(tag);
    const held = await contact(tag);
    const ask = expectStatus(
      await admin.post('/api/v1/privacy-requests', {
        type: 'restriction',
        channel: 'email',
        subjectContactId: held.id,
      }),
      201,
    ).body as { id: string };
    expectStatus(await admin.post('/api/v1/privacy-restrictions', { requestId: ask.id }), 201);
    const { recipients } = await sendAndWait((await draft(tag)).id);
    expect(recipients.map((r) => r.contactId)).toEqual([free.id]);
    await waitForMail(free.email, 1);
    expect(mailsTo(held.email)).toHaveLength(0);
  });

  it('refuses mailings to a user without send_mailings', async () => {
    const reader = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
    });
    expectProblem(await reader.caller.get('/api/v1/mailings'), 403);
    expectProblem(
      await reader.caller.post('/api/v1/mailings', {
        name: 'x',
        purposeId,
        subjectTemplate: 'x',
        bodyTemplate: 'x',
      }),
      403,
    );
  });

  it('sends a mailing once: of concurrent sends one is 202 and the others 409', async () => {
    const tag = uniqueName('co');
    const ada = await contact(tag);
    for (let round = 0; round < 5; round += 1) {
      const mailing = await draft(tag, sender.caller);
      const statuses = (
        await Promise.all(
          [0, 1, 2].map(() => sender.caller.post(`/api/v1/mailings/${mailing.id}/send`)),
        )
      ).map((response) => response.status);
      expect(statuses.sort()).toEqual([202, 409, 409]);
    }
    await waitForMail(ada.email, 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(ada.email)).toHaveLength(5);
  });

  it('resumes after an attempt died while writing its batch, mailing each recipient once', async () => {
    const tag = uniqueName('co');
    const people = [await contact(tag), await contact(tag), await contact(tag)];
    const mailing = await draft(tag);
    // The first attempt dies as its batch is written (the batch rolls back); the job's retry resumes.
    const crash = jest
      .spyOn(MailOutbox.prototype, 'enqueueMany')
      .mockRejectedValueOnce(new Error('worker died'));
    try {
      const { mailing: done } = await sendAndWait(mailing.id);
      expect(done.totals).toMatchObject({ sent: 3, queued: 0, skipped: 0 });
      expect(crash).toHaveBeenCalledTimes(2);
    } finally {
      crash.mockRestore();
    }
    for (const person of people) {
      await waitForMail(person.email, 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(people.map((person) => mailsTo(person.email).length)).toEqual([1, 1, 1]);
  });

  it('cancels a draft (and then refuses to send or cancel it again: 409)', async () => {
    const mailing = await draft(uniqueName('co'));
    await draft(uniqueName('co'));
    await draft(uniqueName('co'));
    expect(
      expectStatus(await admin.post(`/api/v1/mailings/${mailing.id}/cancel`), 200).body,
    ).toMatchObject({ status: 'cancelled' });
    expectProblem(await admin.post(`/api/v1/mailings/${mailing.id}/send`), 409);
    expectProblem(await admin.post(`/api/v1/mailings/${mailing.id}/cancel`), 409);
    const listed = expectStatus(await admin.get('/api/v1/mailings', { limit: 2 }), 200).body as {
      results: MailingView[];
      paging: { next?: { after: string } };
    };
    expect(listed.results).toHaveLength(2);
    expect(listed.paging.next).toBeDefined();
  });
  const sql = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));
  /**
   * Moves a draft to `sending` with no job, as a process that died between its commit and the
   * job's would leave it (or a queue that lost the job).
   */
  const loseJob = async (mailingId: string, sender: SenderOf): Promise<void> => {
    await server.dataSource.query(
      sql(`UPDATE crm_mailing SET status = 'sending', sent_at = $1, sender = $2 WHERE id = $3`),
      [
        new Date().toISOString(),
        JSON.stringify({ kind: 'user', userId: sender.id, ...sender }),
        mailingId,
      ],
    );
  };
  const webhook = (body: object) => {
    const text = JSON.stringify(body);
    return server
      .http()
      .post('/api/v1/consent/bounces/webhook')
      .set('Content-Type', 'application/json')
      .set(
        'X-Custos-Signature',
        `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(text).digest('hex')}`,
      )
      .send(text);
  };

  it('marks the recipient of a mail that bounced hard `bounced` (a DSN to its VERP return path, or the provider naming its Message-ID), and counts it', async () => {
    const tag = uniqueName('co');
    const [ada, bob, eve] = [await contact(tag), await contact(tag), await contact(tag)];
    const { mailing } = await sendAndWait((await draft(tag)).id);
    const [toAda] = await waitForMail(ada.email, 1);
    const [toBob] = await waitForMail(bob.email, 1);
    const [toEve] = await waitForMail(eve.email, 1);
    const dsn = (to: string, action: string, status: string) =>
      [
        `To: <${to}>`,
        '# The report has a Message-ID of its own, which names no mail of ours.',
        'Message-ID: <report-1@mx.example.org>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="x"',
        '',
        '--x',
        'Content-Type: message/delivery-status',
        '',
        `Final-Recipient: rfc822; ${ada.email}`,
        `Action: ${action}`,
        `Status: ${status}`,
        '',
        '--x',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${toAda.parsed.messageId}`,
        `To: ${ada.email}`,
        '--x--',
      ]
        .filter((line) => !line.startsWith('#'))
        .join('\r\n');
    // A soft bounce (a full mailbox) marks nothing.
    expectStatus(await webhook({ dsn: dsn(toAda.envelopeFrom!, 'delayed', '4.2.2') }), 200);
    const statuses = async () =>
      new Map(
        (
          expectStatus(await admin.get(`/api/v1/mailings/${mailing.id}/recipients`), 200).body as {
            results: RecipientView[];
          }
        ).results.map((r) => [r.contactId, r.status]),
      );
    expect((await statuses()).get(ada.id)).toBe('sent');
    expectStatus(await webhook({ dsn: dsn(toAda.envelopeFrom!, 'failed', '5.1.1') }), 200);
    expectStatus(
      await webhook({
        recipient: toBob.envelopeFrom,
        outcome: 'hard_bounce',
        messageId: toBob.parsed.messageId,
      }),
      200,
    );
    // A bounce of another address naming Eve's mail marks nobody: the mail went to someone else.
    expectStatus(
      await webhook({
        recipient: toAda.envelopeFrom,
        outcome: 'hard_bounce',
        messageId: toEve.parsed.messageId,
      }),
      200,
    );
    expect(Object.fromEntries(await statuses())).toEqual({
      [ada.id]: 'bounced',
      [bob.id]: 'bounced',
      [eve.id]: 'sent',
    });
    const view = expectStatus(await admin.get(`/api/v1/mailings/${mailing.id}`), 200)
      .body as MailingView;
    expect(view.totals).toMatchObject({ sent: 1, bounced: 2, skipped: 0 });
    const audited = await auditEvents(server, adminToken, {
      action: 'mailing.recipient_bounced',
      targetId: mailing.id,
    });
    expect(audited.map((e) => (e.metadata as { contactId: string }).contactId).sort()).toEqual(
      [ada.id, bob.id].sort(),
    );
    expect(JSON.stringify(audited)).not.toContain('@example.org');
  });

  it('fails a mailing whose purpose was deleted under it, with the reason, audited, mailing nobody', async () => {
    const tag = uniqueName('co');
    const doomed = (
      expectStatus(
        await admin.post('/api/v1/consent/purposes', {
          key: unique('doomed')
            .toLowerCase()
            .replace(/[^a-z0-9_]/g, '_'),
          name: 'Doomed',
          legalBasis: 'legitimate_interest',
          channels: ['email'],
          notice: 'News.',
        }),
        201,
      ).body as { id: string }
    ).id;
    const ada = await contact(tag);
    const mailing = await draft(tag, admin, { purposeId: doomed });
    await loseJob(mailing.id, adminSender);
    // Someone with write access to the database removed the purpose.
    await server.dataSource.query(sql('DELETE FROM consent_purpose WHERE id = $1'), [doomed]);
    await server.app.get(MailingSender).onApplicationBootstrap();
    const { mailing: failed } = await waitUntil(mailing.id, 'failed');
    expect(failed).toMatchObject({ failureReason: 'consent.unknown_purpose' });
    expect(failed.finishedAt).not.toBeNull();
    const [event] = await auditEvents(server, adminToken, {
      action: 'mailing.failed',
      targetId: mailing.id,
    });
    expect(event.metadata).toMatchObject({ reason: 'consent.unknown_purpose' });
    expect(mailsTo(ada.email)).toHaveLength(0);
  });

  it('fails a mailing whose sender lost send_mailings before its job ran', async () => {
    const tag = uniqueName('co');
    const ada = await contact(tag);
    const member = await setup.userWithRole({
      privileges: [{ objectType: 'contacts', action: 'read', level: 'account' }],
      taskPrivileges: ['send_mailings'],
    });
    const mailing = await draft(tag, member.caller);
    await loseJob(mailing.id, { id: member.id, label: member.email, superAdmin: false });
    expectStatus(await admin.patch(`/api/v1/roles/${member.roleId}`, { taskPrivileges: [] }), 200);
    await server.app.get(MailingSender).onApplicationBootstrap();
    const { mailing: failed } = await waitUntil(mailing.id, 'failed');
    expect(failed.failureReason).toBe('crm.mailing_sender_lost_privilege');
    expect(mailsTo(ada.email)).toHaveLength(0);
  });

  it('fails a mailing once its job used up its attempts, counting what was done', async () => {
    const tag = uniqueName('co');
    const ada = await contact(tag);
    const mailing = await draft(tag);
    const outboxDown = jest
      .spyOn(MailOutbox.prototype, 'enqueueMany')
      .mockRejectedValue(new Error('outbox unreachable'));
    try {
      expectStatus(await admin.post(`/api/v1/mailings/${mailing.id}/send`), 202);
      const { mailing: failed } = await waitUntil(mailing.id, 'failed', admin, 90);
      expect(failed).toMatchObject({
        failureReason: 'crm.mailing_attempts_exhausted',
        totals: { queued: 1, sent: 0 },
      });
      expect(outboxDown).toHaveBeenCalledTimes(5);
    } finally {
      outboxDown.mockRestore();
    }
    const [event] = await auditEvents(server, adminToken, {
      action: 'mailing.failed',
      targetId: mailing.id,
    });
    expect(event.metadata).toMatchObject({ reason: 'crm.mailing_attempts_exhausted' });
    expect(mailsTo(ada.email)).toHaveLength(0);
  });

  it('queues again at start a mailing whose job was lost, and mails only those not mailed yet', async () => {
    const tag = uniqueName('co');
    const people = [await contact(tag), await contact(tag), await contact(tag)];
    const [first, ...rest] = [...people].sort((a, b) => a.id.localeCompare(b.id));
    const mailing = await draft(tag);
    await loseJob(mailing.id, adminSender);
    // The process died after a batch had committed: everyone collected, the first one mailed.
    await server.dataSource.query(
      sql('UPDATE crm_mailing SET collected = $1, collected_after = $2 WHERE id = $3'),
      [kind === 'postgres' ? true : 1, rest[rest.length - 1].id, mailing.id],
    );
    const now = new Date().toISOString();
    for (const [person, status] of [
      [first, 'sent'],
      [rest[0], 'queued'],
      [rest[1], 'queued'],
    ] as const) {
      await server.dataSource.query(
        sql(
          'INSERT INTO crm_mailing_recipient (mailing_id, contact_id, account_id, status, reason, mail_id, updated_at) VALUES ($1, $2, $3, $4, NULL, NULL, $5)',
        ),
        [mailing.id, person.id, server.accountId, status, now],
      );
    }
    // Another start of the server on the same database sweeps it.
    const restarted = await startTestServer(kind, { env, sameDatabaseAs: server });
    try {
      const { mailing: done } = await waitUntil(mailing.id, 'sent');
      expect(done.totals).toMatchObject({ sent: 3, queued: 0, skipped: 0 });
      for (const person of rest) {
        await waitForMail(person.email, 1);
      }
      // Starting again changes nothing: the mailing is over.
      await restarted.app.get(MailingSender).onApplicationBootstrap();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(people.map((person) => mailsTo(person.email).length)).toEqual(
        people.map((person) => (person.id === first.id ? 0 : 1)),
      );
    } finally {
      await restarted.close();
    }
  });
});
