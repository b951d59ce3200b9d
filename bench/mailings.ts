/**
 * bench/mailings: how fast a mass mailing reaches the outbox, on this machine. Per database, the
 * server booted on a scratch database with `--mailing-contacts` demo contacts (default 20,000) and
 * a purpose under legitimate interest (so every contact is in the audience, its consent condition
 * still evaluated in SQL):
 *
 * - `mailing`: `POST /mailings/{id}/send` as the super admin, until the mailing is `sent`: the job
 *   walks the selection into recipient rows, then writes one mail per recipient (rendered, with its
 *   unsubscribe token, List-* headers and VERP return path) in batches of `MAILING_BATCH`.
 *   Recipients per second over the whole run (job start latency included).
 * - `bareInsert` (baseline, same run): as many rows written into the outbox table by multi-row
 *   INSERTs (990 parameters a statement on SQLite, 30,000 on PostgreSQL), in transactions of
 *   `MAILING_BATCH`, nothing else.
 * - `enqueueOnly` (second baseline, same run): as many mails through `MailOutbox.enqueueMany` (its
 *   checks and its bulk write: on PostgreSQL one unnest statement a batch), in transactions of
 *   `MAILING_BATCH`, nothing else: what the mailing costs beyond writing its mails.
 *
 * The issue asks for ≥ 5,000 recipients/s. No SMTP transport: the mails stay in the outbox.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import { DataSource } from 'typeorm';
import { MailOutbox, TransactionHost, newId, type MailToSend } from '@custos/core';
import { createTestDatabase, type DatabaseKind } from '@custos/core/testing';
import { MAILING_BATCH } from '../src/crm/mailings';
import { seedDemoData } from '../scripts/seed';
import { HttpClient, bootBenchApp, signIn } from './crm-search';

export interface MailingsBenchOptions {
  contacts: number;
}

export interface MailingsResult {
  contacts: number;
  batch: number;
  mailing: { seconds: number; recipientsPerSecond: number; sent: number; skipped: number };
  bareInsert: { seconds: number; rowsPerSecond: number };
  enqueueOnly: { seconds: number; mailsPerSecond: number };
  /** Mailing time over the bare inserts' time. */
  ratio: number;
  /** Mailing time over the time of `enqueueMany` alone. */
  ratioToEnqueue: number;
  loadAverage: { before: number; after: number };
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function benchMailings(
  kind: DatabaseKind,
  options: MailingsBenchOptions,
): Promise<MailingsResult> {
  const before = loadavg()[0];
  const database = await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-mailings-'));
  const app = await bootBenchApp({
    databaseUrl: database.url,
    dataDir,
    masterKey: randomBytes(32).toString('base64'),
    env: { CUSTOS_PUBLIC_URL: 'https://crm.example.test', CUSTOS_JOB_POLL_MS: '50' },
  });
  try {
    process.stderr.write(`mailings on ${kind}: seeding ${options.contacts} contacts…\n`);
    const seed = await seedDemoData(app, {
      contacts: options.contacts,
      companies: 0,
      deals: 0,
      demoUsers: 0,
      randomSeed: 20_261_205,
    });
    await app.listen(0, '127.0.0.1');
    const http = new HttpClient(((app.getHttpServer() as Server).address() as AddressInfo).port);
    const token = await signIn(http);
    const purpose = await http.post<{ id: string }>(
      '/api/v1/consent/purposes',
      {
        key: 'customer_news',
        name: 'Customer news',
        legalBasis: 'legitimate_interest',
        channels: ['email'],
        notice: 'News for our customers.',
      },
      token,
    );
    const created = await http.post<{ id: string }>(
      '/api/v1/mailings',
      {
        name: 'Bench',
        purposeId: purpose.body.id,
        subjectTemplate: 'News for {{firstname}}',
        bodyTemplate: 'Dear {{firstname}} {{lastname}},\nhere is what is new at {{company}}.',
      },
      token,
    );
    if (created.status !== 201) {
      throw new Error(`mailing not created: ${created.status} ${JSON.stringify(created.body)}`);
    }
    const started = process.hrtime.bigint();
    const sent = await http.post(`/api/v1/mailings/${created.body.id}/send`, {}, token);
    if (sent.status !== 202) {
      throw new Error(`mailing not sent: ${sent.status} ${JSON.stringify(sent.body)}`);
    }
    let totals: { sent: number; skipped: number };
    for (;;) {
      const view = await http.get<{ status: string; totals: typeof totals }>(
        `/api/v1/mailings/${created.body.id}`,
        token,
      );
      if (view.body.status === 'sent') {
        totals = view.body.totals;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const mailingSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    http.close();

    const dataSource = app.get(DataSource);
    const columns =
      'id, account_id, kind, message_id, from_address, recipients, subject, text_body, html_body, headers, return_path, status, attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at';
    const width = columns.split(', ').length;
    // As many rows per statement as `insertRows` puts (its parameter bound over 18 columns).
    const perStatement = Math.floor((kind === 'postgres' ? 30_000 : 990) / width);
    const bareStarted = process.hrtime.bigint();
    for (let offset = 0; offset < options.contacts; offset += MAILING_BATCH) {
      const end = Math.min(offset + MAILING_BATCH, options.contacts);
      await dataSource.transaction(async (manager) => {
        for (let start = offset; start < end; start += perStatement) {
          const count = Math.min(perStatement, end - start);
          const values: unknown[] = [];
          const tuples: string[] = [];
          for (let i = start; i < start + count; i += 1) {
            const id = newId();
            const now = new Date().toISOString();
            const base = values.length;
            values.push(
              id,
              seed.accountId,
              'marketing',
              `<${id}@localhost>`,
              'custos@localhost',
              JSON.stringify([`person.${i}@demo.custos.invalid`]),
              'News for Ada',
              'Dear Ada Lovelace,\nhere is what is new at Example.\n\n--\nUnsubscribe: https://crm.example.test/api/v1/consent/unsubscribe?token=x',
              null,
              JSON.stringify({ 'List-Unsubscribe': '<https://crm.example.test/x>' }),
              `bounces+a=person.${i}=demo.custos.invalid@localhost`,
              'pending',
              0,
              now,
              null,
              null,
              now,
              null,
            );
            tuples.push(
              `(${Array.from({ length: width }, (_, c) => (kind === 'postgres' ? `$${base + c + 1}` : '?')).join(', ')})`,
            );
          }
          await manager.query(
            `INSERT INTO custos_mail_outbox (${columns}) VALUES ${tuples.join(', ')}`,
            values,
          );
        }
      });
    }
    const bareSeconds = Number(process.hrtime.bigint() - bareStarted) / 1e9;

    const outbox = app.get(MailOutbox);
    // As long as the mailing's: a signed token of three ids, a channel and a time.
    const url = `https://crm.example.test/api/v1/consent/unsubscribe?token=${randomBytes(202).toString('base64url')}`;
    const transactions = app.get(TransactionHost);
    const enqueueStarted = process.hrtime.bigint();
    for (let offset = 0; offset < options.contacts; offset += MAILING_BATCH) {
      const mails: MailToSend[] = [];
      for (let i = offset; i < Math.min(offset + MAILING_BATCH, options.contacts); i += 1) {
        mails.push({
          accountId: seed.accountId,
          kind: 'marketing',
          to: [`person.${i}@demo.custos.invalid`],
          subject: 'News for Ada',
          text: `Dear Ada Lovelace,\nhere is what is new at Example.\n\n--\nUnsubscribe: ${url}\n`,
          headers: {
            'List-Unsubscribe': `<${url}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
          returnPath: `bounces+a=person.${i}=demo.custos.invalid@localhost`,
        });
      }
      await transactions.run(() => outbox.enqueueMany(mails));
    }
    const enqueueSeconds = Number(process.hrtime.bigint() - enqueueStarted) / 1e9;
    return {
      contacts: options.contacts,
      batch: MAILING_BATCH,
      mailing: {
        seconds: round(mailingSeconds),
        recipientsPerSecond: Math.round(totals.sent / mailingSeconds),
        sent: totals.sent,
        skipped: totals.skipped,
      },
      bareInsert: {
        seconds: round(bareSeconds),
        rowsPerSecond: Math.round(options.contacts / bareSeconds),
      },
      enqueueOnly: {
        seconds: round(enqueueSeconds),
        mailsPerSecond: Math.round(options.contacts / enqueueSeconds),
      },
      ratio: round(mailingSeconds / bareSeconds),
      ratioToEnqueue: round(mailingSeconds / enqueueSeconds),
      loadAverage: { before: round(before), after: round(loadavg()[0]) },
    };
  } finally {
    await app.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
