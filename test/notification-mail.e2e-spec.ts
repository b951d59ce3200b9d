import { DataSource } from 'typeorm';
import { MailOutbox, MailOutboxEntry, TransactionHost } from '@custos/core';
import {
  eventually,
  startTestSmtpServer,
  testDatabaseKinds,
  type TestSmtpServer,
} from '@custos/core/testing';
import { FormSubmissionNotifications } from '../src/crm/forms/form-submission-notifications';
import { Setup, callerOf, expectStatus, type Caller } from './access/access-support';
import { expectProblem } from './support/api';
import type { CreatedUser } from './support/factories';
import { startTestServer, type TestServer } from './support/test-server';

/** A submitted value: it must never reach a mail. */
const CANARY = 'CANARY-notification-mail-value';
const PUBLIC_URL = 'https://crm.example.test';

interface Settings {
  kinds: { kind: string; email: boolean }[];
}

/**
 * Notifications by e-mail through the outbox, with a real SMTP server: only recipients who opted
 * in get a mail, one each, written with the change (a rolled-back change sends none), saying
 * what happened and never a submitted value.
 */
describe.each(testDatabaseKinds())('notification e-mail on %s', (kind) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let admin: Caller;
  let optedIn: CreatedUser & { caller: Caller };
  let optedOut: CreatedUser & { caller: Caller };
  let newUserWithCaller: () => Promise<CreatedUser & { caller: Caller }>;

  /** The account's notification mails in the outbox, as the database holds them. */
  const notificationMails = () =>
    server.app
      .get(DataSource)
      .getRepository(MailOutboxEntry)
      .findBy({ accountId: server.accountId, kind: 'notification.form_submission' });

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    server = await startTestServer(kind, {
      env: { SMTP_URL: smtp.url, CUSTOS_PUBLIC_URL: PUBLIC_URL, CUSTOS_TRUST_PROXY: 'true' },
    });
    const adminToken = await server.login();
    admin = callerOf(server, adminToken);
    const setup = new Setup(server, adminToken);
    newUserWithCaller = async () => {
      const user = await setup.user();
      return { ...user, caller: callerOf(server, user.token) };
    };
    optedIn = await newUserWithCaller();
    optedOut = await newUserWithCaller();
    // Tests run in any order: the opted-in user chooses mail before any of them.
    expectStatus(
      await optedIn.caller.put('/api/v1/me/notification-settings', {
        emailKinds: ['form_submission'],
      }),
      200,
    );
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  /** Every mailable kind, opted in or not: the approvals' two, the partners' one, privacy's deadline and the forms' one. */
  const kinds = (formSubmission: boolean): Settings => ({
    kinds: [
      { kind: 'approval_requested', email: false },
      { kind: 'approval_decided', email: false },
      { kind: 'partner_access_changed', email: false },
      { kind: 'privacy_request_deadline', email: false },
      { kind: 'form_submission', email: formSubmission },
    ],
  });

  it('lets each person choose the kinds they get by e-mail; none by default; refuses unknown kinds', async () => {
    const chooser = await newUserWithCaller();
    const initial = expectStatus(await chooser.caller.get('/api/v1/me/notification-settings'), 200);
    expect(initial.body as Settings).toEqual(kinds(false));
    const chosen = expectStatus(
      await chooser.caller.put('/api/v1/me/notification-settings', {
        emailKinds: ['form_submission'],
      }),
      200,
    );
    expect(chosen.body as Settings).toEqual(kinds(true));
    expectProblem(
      await chooser.caller.put('/api/v1/me/notification-settings', {
        emailKinds: ['form_submission', 'no_such_kind'],
      }),
      422,
      { code: 'core.notification_kind_not_mailable', field: 'emailKinds[1]' },
    );
    expectProblem(await chooser.caller.put('/api/v1/me/notification-settings', {}), 422, {
      field: 'emailKinds',
    });
    // Refused requests changed nothing, and one person's choice is not another's.
    const after = expectStatus(await chooser.caller.get('/api/v1/me/notification-settings'), 200);
    expect(after.body as Settings).toEqual(kinds(true));
    const other = expectStatus(await optedOut.caller.get('/api/v1/me/notification-settings'), 200);
    expect(other.body as Settings).toEqual(kinds(false));
  });

  it('mails exactly one opted-in recipient once, naming the form, never a submitted value', async () => {
    const form = expectStatus(
      await admin.post('/api/v1/forms', {
        name: 'Contact us',
        objectType: 'contacts',
        fields: [{ property: 'email', required: true }, { property: 'firstname' }],
        notify: [optedIn.id, optedOut.id],
      }),
      201,
    ).body as { id: string };
    const submitted = await server
      .http()
      .post(`/api/v1/forms/${form.id}/submissions`)
      .set('X-Forwarded-For', '203.0.113.7')
      .send({ fields: { email: 'canary@example.org', firstname: CANARY } });
    expect(submitted.status).toBe(202);

    const [mail] = await eventually(async () => {
      const rows = await notificationMails();
      return rows.length > 0 && rows.every((row) => row.status === 'sent') ? rows : undefined;
    });
    expect(await notificationMails()).toHaveLength(1);
    expect(mail.recipients).toEqual([optedIn.email]);
    expect(smtp.received).toHaveLength(1);
    const [{ parsed, envelopeTo }] = smtp.received;
    expect(envelopeTo).toEqual([optedIn.email]);
    expect(parsed.subject).toBe('New submission on the form "Contact us"');
    expect(parsed.text).toContain(`${PUBLIC_URL}/api/v1/me/notifications`);
    for (const value of [CANARY, 'canary@example.org', optedOut.email]) {
      expect(JSON.stringify(parsed.headers)).not.toContain(value);
      expect(parsed.text).not.toContain(value);
      expect(`${mail.subject} ${mail.text}`).not.toContain(value);
    }
    // Both recipients still have the notification in the app.
    for (const user of [optedIn, optedOut]) {
      const inbox = expectStatus(await user.caller.get('/api/v1/me/notifications'), 200);
      expect((inbox.body as { results: unknown[] }).results).toHaveLength(1);
    }
  });

  it('writes no mail for a change that is rolled back', async () => {
    const before = (await notificationMails()).length;
    const received = smtp.received.length;
    const notifications = server.app.get(FormSubmissionNotifications);
    await expect(
      server.app.get(TransactionHost).run(async () => {
        await notifications.send(server.accountId, [optedIn.id], {
          formId: '0193a6c4-7f1e-7c3a-9d1e-00000000f001',
          submissionId: '0193a6c4-7f1e-7c3a-9d1e-00000000f002',
          objectType: 'contacts',
          recordId: '0193a6c4-7f1e-7c3a-9d1e-00000000f003',
        });
        // Inside the transaction, the mail is written with the notification.
        expect(
          await server.app
            .get(TransactionHost)
            .manager.countBy(MailOutboxEntry, { kind: 'notification.form_submission' }),
        ).toBe(before + 1);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await notificationMails()).toHaveLength(before);
    // A delivery run finds nothing to send either.
    await expect(server.app.get(MailOutbox).deliverPending()).resolves.toEqual({
      sent: 0,
      failed: 0,
    });
    expect(smtp.received).toHaveLength(received);
  });

  it('gives private apps no settings', async () => {
    const key = expectStatus(
      await admin.post('/api/v1/api-keys', { name: 'ops', scopes: ['view_audit_log'] }),
      201,
    ).body as { key: string };
    const response = await server
      .http()
      .get('/api/v1/me/notification-settings')
      .set('X-API-Key', key.key);
    expectProblem(response, 403, { code: 'core.notification_settings_personal' });
  });
});
