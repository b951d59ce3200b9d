import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { INestApplication } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CoreModule } from '../core.module';
import { TransactionHost } from '../database/transaction-host';
import { JOB_ENTITIES, JobRecord } from '../jobs/job.entity';
import {
  FixedClock,
  connectionOptionsOf,
  createTestDatabase,
  eventually,
  startTestSmtpServer,
  testDatabaseKinds,
  type TestDatabase,
  type TestSmtpServer,
} from '../testing';
import type { MailToSend } from './mail-content-policy';
import { MailOutbox, retryDelayMs } from './mail-outbox';
import { MailOutboxEntry } from './mail-outbox.entity';
import { MailModule } from './mail.module';
import { SmtpMailTransport, type DkimOptions } from './smtp-mail-transport';

const ACCOUNT = '01936f0e-4b7c-7c3a-9b1e-2f4d5e6a7b8c';

function mail(overrides: Partial<MailToSend> = {}): MailToSend {
  return {
    accountId: ACCOUNT,
    kind: 'test.notice',
    to: ['owner@example.org'],
    subject: 'A new submission',
    text: 'Someone filled in "Contact us".',
    html: '<p>Someone filled in <b>Contact us</b>.</p>',
    ...overrides,
  };
}

/** DKIM signing with a fresh RSA key for `example.com`, selector `custos`. */
function dkimOptions(): DkimOptions {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    domainName: 'example.com',
    keySelector: 'custos',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

describe.each(testDatabaseKinds())('Mail outbox on %s', (kind) => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  const apps: INestApplication[] = [];

  /** An app on the shared database: with SMTP, or outbox-only when `smtpUrl` is null. */
  async function start(
    smtpUrl: string | null,
    options: { clock?: FixedClock; dkim?: DkimOptions; deliveryEverySeconds?: number } = {},
  ): Promise<{ app: INestApplication; outbox: MailOutbox; transactions: TransactionHost }> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        // A test moving a fixed clock calls deliverPending itself: the mail.deliver schedule's run
        // falls due with each move, and a worker polling in the background would take the mail
        // first. Its workers look once at start (nothing is due then) and not again in the test.
        CoreModule.forRoot({
          clock: options.clock,
          jobs: options.clock ? { pollMs: 24 * 3_600_000 } : undefined,
        }),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: [MailOutboxEntry, ...JOB_ENTITIES],
          synchronize: true,
        }),
        MailModule.forRoot({
          from: 'custos@example.com',
          transport: smtpUrl ? new SmtpMailTransport(smtpUrl, { dkim: options.dkim }) : undefined,
          registerController: false,
          deliveryEverySeconds: options.deliveryEverySeconds,
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    apps.push(app);
    return { app, outbox: app.get(MailOutbox), transactions: app.get(TransactionHost) };
  }

  async function stop(app: INestApplication): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  /** Waits for the deliveries an app started by itself (after a commit, at start). */
  async function settle(outbox: MailOutbox): Promise<void> {
    await (outbox as unknown as { running?: Promise<void> }).running;
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    smtp = await startTestSmtpServer();
  });

  // Each test's apps stop with it: a live app of an earlier test (a fixed clock hours ahead) would
  // take the shared database's mail.deliver job and claim this test's mails as lapsed.
  afterEach(async () => {
    for (const app of apps.splice(0)) {
      await app.close();
    }
  });

  afterAll(async () => {
    await smtp.close();
    await database.drop();
  });

  beforeEach(async () => {
    smtp.received.length = 0;
    const { app } = await start(null);
    await app.get(DataSource).getRepository(MailOutboxEntry).clear();
    // An earlier test's schedule runs would fall due when a later test moves its clock.
    await app.get(DataSource).getRepository(JobRecord).clear();
    await stop(app);
  });

  it('delivers a committed mail over SMTP with its headers, both bodies and a fixed Message-ID', async () => {
    const { app, outbox, transactions } = await start(smtp.url);
    const id = await transactions.run(() => outbox.enqueue(mail()));
    await settle(outbox);
    expect(smtp.received).toHaveLength(1);
    const [{ parsed, envelopeTo }] = smtp.received;
    expect(envelopeTo).toEqual(['owner@example.org']);
    expect(parsed.messageId).toBe(`<${id}@example.com>`);
    expect(parsed.from?.text).toBe('custos@example.com');
    expect(parsed.subject).toBe('A new submission');
    expect(parsed.text?.trim()).toBe('Someone filled in "Contact us".');
    expect(parsed.html).toContain('<b>Contact us</b>');
    const row = await app.get(DataSource).getRepository(MailOutboxEntry).findOneByOrFail({ id });
    expect(row).toMatchObject({ status: 'sent', claimedUntil: null, lastError: null });
    await expect(outbox.deliverPending()).resolves.toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('signs with DKIM when configured', async () => {
    const dkim = dkimOptions();
    const { outbox } = await start(smtp.url, { dkim });
    await outbox.enqueue(mail());
    await settle(outbox);
    const signature = smtp.received[0].parsed.headers.get('dkim-signature');
    expect(signature).toMatchObject({
      value: 'v=1',
      params: { a: 'rsa-sha256', d: 'example.com', s: 'custos' },
    });
  });

  it('carries List-* headers under the DKIM signature and sends from the given return path', async () => {
    const dkim = dkimOptions();
    const { outbox } = await start(smtp.url, { dkim });
    await outbox.enqueue(
      mail({
        headers: {
          'List-Unsubscribe': '<https://crm.example.com/u?token=abc>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
        returnPath: 'bounces+a=owner=example.org@example.com',
      }),
    );
    await settle(outbox);
    const [{ parsed, envelopeFrom }] = smtp.received;
    const line = (key: string) => parsed.headerLines.find((h) => h.key === key)?.line;
    expect(line('list-unsubscribe')).toBe(
      'List-Unsubscribe: <https://crm.example.com/u?token=abc>',
    );
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const signed = String(
      (parsed.headers.get('dkim-signature') as { params: { h: string } }).params.h,
    ).toLowerCase();
    expect(signed.split(':')).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']),
    );
    expect(envelopeFrom).toBe('bounces+a=owner=example.org@example.com');
  });

  it('refuses a header that is not List-* or spans lines, writing nothing', async () => {
    const { outbox } = await start(null);
    await expect(outbox.enqueue(mail({ headers: { Bcc: 'x@example.org' } }))).rejects.toMatchObject(
      {
        code: 'mail.invalid_header',
      },
    );
    await expect(
      outbox.enqueue(mail({ headers: { 'List-Unsubscribe': 'a\r\nBcc: x@example.org' } })),
    ).rejects.toMatchObject({ code: 'mail.invalid_header' });
  });

  it('sends nothing for a rolled-back change', async () => {
    const { app, outbox, transactions } = await start(smtp.url);
    await expect(
      transactions.run(async () => {
        await outbox.enqueue(mail());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await settle(outbox);
    await expect(outbox.deliverPending()).resolves.toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toEqual([]);
    await expect(app.get(DataSource).getRepository(MailOutboxEntry).count()).resolves.toBe(0);
  });

  it('delivers exactly once a mail committed by a process that died before delivering it', async () => {
    // The first process commits the change with its mail and dies before any delivery run.
    const first = await start(null);
    const id = await first.transactions.run(() => first.outbox.enqueue(mail()));
    await stop(first.app);
    expect(smtp.received).toEqual([]);
    // The next process delivers it at start; later runs and restarts do not send it again.
    const second = await start(smtp.url);
    await settle(second.outbox);
    await expect(second.outbox.deliverPending()).resolves.toEqual({ sent: 0, failed: 0 });
    await stop(second.app);
    const third = await start(smtp.url);
    await settle(third.outbox);
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([`<${id}@example.com>`]);
  });

  it('sends again, with the same Message-ID, a mail whose sender died between the send and the mark', async () => {
    const clock = new FixedClock(new Date());
    const { app, outbox } = await start(smtp.url, { clock });
    const id = await outbox.enqueue(mail());
    await settle(outbox);
    // The state a death right after the SMTP server accepted it leaves: still pending, claimed.
    const repository = app.get(DataSource).getRepository(MailOutboxEntry);
    await repository.update({ id }, { status: 'pending', sentAt: null, claimedUntil: clock.now() });
    await expect(outbox.deliverPending()).resolves.toEqual({ sent: 0, failed: 0 });
    clock.advance(1);
    await expect(outbox.deliverPending()).resolves.toEqual({ sent: 1, failed: 0 });
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([
      `<${id}@example.com>`,
      `<${id}@example.com>`,
    ]);
  });

  it('retries a refused mail after a growing delay, recording only the reply code, and gives up after maxAttempts', async () => {
    const clock = new FixedClock(new Date());
    const { app, outbox } = await start(smtp.url, { clock });
    smtp.refuseNext(1, 451);
    const id = await outbox.enqueue(mail({ subject: 'Secret-free subject' }));
    await settle(outbox);
    const repository = app.get(DataSource).getRepository(MailOutboxEntry);
    expect(await repository.findOneByOrFail({ id })).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'smtp_451',
    });
    await expect(outbox.deliverPending()).resolves.toEqual({ sent: 0, failed: 0 });
    clock.advance(retryDelayMs(1));
    await expect(outbox.deliverPending()).resolves.toEqual({ sent: 1, failed: 0 });
    expect(smtp.received).toHaveLength(1);

    smtp.refuseNext(100, 550);
    const doomed = await outbox.enqueue(mail());
    await settle(outbox);
    for (let attempt = 1; attempt < 8; attempt += 1) {
      clock.advance(retryDelayMs(attempt));
      await expect(outbox.deliverPending()).resolves.toEqual({ sent: 0, failed: 1 });
    }
    expect(await repository.findOneByOrFail({ id: doomed })).toMatchObject({
      status: 'failed',
      attempts: 8,
      lastError: 'smtp_550',
    });
    smtp.refuseNext(0, 0);
  });

  it('delivers a retry that fell due on the mail.deliver schedule, with no new trigger', async () => {
    const { app, outbox } = await start(smtp.url, { deliveryEverySeconds: 1 });
    smtp.refuseNext(1, 451);
    const id = await outbox.enqueue(mail());
    await settle(outbox);
    const repository = app.get(DataSource).getRepository(MailOutboxEntry);
    // The retry falls due now; nothing in this process triggers a run any more.
    await repository.update({ id }, { nextAttemptAt: new Date(Date.now() - 1000) });
    const backlog = await outbox.backlog();
    expect(backlog).toMatchObject({ pending: 1, failed: 0 });
    expect(backlog.oldestPendingAt).toBeInstanceOf(Date);
    await eventually(async () => {
      const row = await repository.findOneByOrFail({ id });
      return row.status === 'sent' ? row : undefined;
    });
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([`<${id}@example.com>`]);
    await expect(outbox.backlog()).resolves.toEqual({
      pending: 0,
      failed: 0,
      oldestPendingAt: null,
    });
  });

  it('keeps every mail pending in the outbox without SMTP', async () => {
    const { outbox, transactions } = await start(null);
    expect(outbox.delivering).toBe(false);
    const first = await outbox.enqueue(mail({ subject: 'first' }));
    const second = await outbox.enqueue(mail({ subject: 'second' }));
    await outbox.enqueue(mail({ accountId: '01936f0e-0000-7000-8000-000000000000' }));
    await expect(outbox.deliverPending()).resolves.toEqual({ sent: 0, failed: 0 });
    // Listing to super admins (per account, newest first) is in the e2e test of GET /api/v1/mail/outbox.
    const rows = await transactions.manager.find(MailOutboxEntry, {
      where: { accountId: ACCOUNT },
      order: { id: 'DESC' },
    });
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [second, 'pending'],
      [first, 'pending'],
    ]);
    expect(smtp.received).toEqual([]);
  });

  it('refuses a mail carrying a sensitive field, or without a valid recipient, writing nothing', async () => {
    const { app, outbox } = await start(smtp.url);
    await expect(
      outbox.enqueue(
        mail({
          carries: [
            { name: 'email', sensitivity: null },
            { name: 'diagnosis', sensitivity: { category: 'health' } },
          ],
        }),
      ),
    ).rejects.toMatchObject({ kind: 'forbidden', code: 'mail.sensitive_content' });
    await expect(outbox.enqueue(mail({ to: ['not an address'] }))).rejects.toMatchObject({
      code: 'mail.invalid_recipient',
    });
    await expect(app.get(DataSource).getRepository(MailOutboxEntry).count()).resolves.toBe(0);
  });

  it('writes a batch of mails in multi-row INSERTs, each as enqueue writes it, or none when one is refused', async () => {
    const { app, outbox, transactions } = await start(null);
    const batch = Array.from({ length: 120 }, (_, i) =>
      mail({
        to: [`person.${i}@example.org`],
        subject: `Hello ${i}`,
        headers: { 'List-Unsubscribe': `<https://crm.example.com/u?token=${i}>` },
        returnPath: `bounces+a=person.${i}=example.org@example.com`,
      }),
    );
    const ids = await outbox.enqueueMany(batch);
    const rows = await transactions.manager.find(MailOutboxEntry);
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    const last = rows.find((r) => r.id === ids[119]);
    expect(last).toMatchObject({
      recipients: ['person.119@example.org'],
      subject: 'Hello 119',
      headers: { 'List-Unsubscribe': '<https://crm.example.com/u?token=119>' },
      returnPath: 'bounces+a=person.119=example.org@example.com',
      status: 'pending',
      attempts: 0,
      claimedUntil: null,
      messageId: `<${ids[119]}@example.com>`,
    });
    expect(last?.createdAt).toBeInstanceOf(Date);
    await expect(
      outbox.enqueueMany([mail(), mail({ headers: { Bcc: 'x@example.org' } })]),
    ).rejects.toMatchObject({ code: 'mail.invalid_header' });
    await expect(app.get(DataSource).getRepository(MailOutboxEntry).count()).resolves.toBe(120);
  });
});
