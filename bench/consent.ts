/**
 * bench/consent: the cost of appending one consent event with `@custos/consent`, on this machine.
 * Per database, the lib booted on a scratch database (its migrations, the in-memory contacts of
 * its `testing` entry):
 *
 * - `append`: `ConsentLedger.append` — lock the account's chain head, hash the event, insert it,
 *   upsert the materialised state, move and sign the head — in one transaction, `events` times
 *   over 100 contacts alternating granted / withdrawn: p50 / p95 / mean in milliseconds.
 * - `recorded`: the same through `ConsentRecorder.record` (staff source): plus the contact check
 *   through the port, the purpose and notice checks and the audit event.
 * - `bareInsert` (baseline, same run): one `INSERT` of a row as wide as an event into a table
 *   without index or chain, as its own statement: p50 / p95 / mean.
 *
 * `ratio` is each p50 over the baseline's. The issue asks for `append` p50 ≤ 2 ms.
 */
import { newId, systemActor } from '@custos/core';
import { ConsentLedger, ConsentPurposes, ConsentRecorder } from '@custos/consent';
import { createConsentTestApp } from '@custos/consent/testing';
import type { DatabaseKind } from '@custos/core/testing';

export interface ConsentBenchOptions {
  events: number;
}

interface Latency {
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

export interface ConsentResult {
  events: number;
  append: Latency & { ratio: number };
  recorded: Latency & { ratio: number };
  bareInsert: Latency;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function timed(count: number, work: (i: number) => Promise<unknown>): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < Math.min(200, count); i += 1) {
    await work(-1 - i); // warm-up
  }
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    await work(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return {
    p50Ms: round(samples[Math.floor(count / 2)]),
    p95Ms: round(samples[Math.floor(count * 0.95)]),
    meanMs: round(samples.reduce((a, b) => a + b, 0) / count),
  };
}

export async function benchConsent(
  kind: DatabaseKind,
  options: ConsentBenchOptions,
): Promise<ConsentResult> {
  const app = await createConsentTestApp(kind);
  try {
    const accountId = newId();
    const staff = {
      ...systemActor(accountId),
      kind: 'user' as const,
      id: newId(),
      superAdmin: false,
    };
    const purpose = await app.as(staff, () =>
      app.get(ConsentPurposes).create({
        key: 'newsletter',
        name: 'Newsletter',
        legalBasis: 'consent',
        channels: ['email'],
        notice: 'Yes, send me the newsletter.',
      }),
    );
    const contacts = Array.from({ length: 100 }, () => newId());
    contacts.forEach((c) => app.contacts.add(c));
    const ledger = app.get(ConsentLedger);
    const status = (i: number) => (Math.abs(i) % 2 === 0 ? 'granted' : 'withdrawn');
    const append = await timed(options.events, (i) =>
      ledger.append({
        accountId,
        contactId: contacts[Math.abs(i) % contacts.length],
        purposeId: purpose.id,
        channel: 'email',
        status: status(i),
        source: 'form',
        noticeVersion: 1,
        actorKind: 'contact',
        actorId: contacts[Math.abs(i) % contacts.length],
        ip: '203.0.113.0',
        userAgent: 'Mozilla/5.0 (bench)',
      }),
    );
    const recorder = app.get(ConsentRecorder);
    const recorded = await timed(options.events, (i) =>
      app.as(staff, () =>
        recorder.record(contacts[Math.abs(i) % contacts.length], {
          purposeId: purpose.id,
          channel: 'email',
          status: status(i),
          source: 'staff',
          noticeVersion: status(i) === 'granted' ? 1 : undefined,
        }),
      ),
    );
    await app.dataSource.query(
      'CREATE TABLE bench_bare (id varchar(36) PRIMARY KEY, account_id varchar(36), contact_id varchar(36), purpose_id varchar(36), channel varchar(8), address varchar(320), status varchar(12), source varchar(24), notice_version integer, actor_id varchar(64), ip varchar(45), user_agent varchar(512), occurred_at varchar(24), hash varchar(64))',
    );
    const placeholders = Array.from({ length: 14 }, (_, i) =>
      kind === 'postgres' ? `$${i + 1}` : '?',
    ).join(', ');
    const bareInsert = await timed(options.events, (i) =>
      app.dataSource.query(`INSERT INTO bench_bare VALUES (${placeholders})`, [
        newId(),
        accountId,
        contacts[Math.abs(i) % contacts.length],
        purpose.id,
        'email',
        '',
        status(i),
        'form',
        1,
        'contact',
        '203.0.113.0',
        'Mozilla/5.0 (bench)',
        new Date().toISOString(),
        'f'.repeat(64),
      ]),
    );
    const ratio = (l: Latency) => round(l.p50Ms / bareInsert.p50Ms);
    return {
      events: options.events,
      append: { ...append, ratio: ratio(append) },
      recorded: { ...recorded, ratio: ratio(recorded) },
      bareInsert,
    };
  } finally {
    await app.close();
  }
}
