/**
 * bench/privacy-packages: the access package of a subject with 10,000 property-history entries
 * (issue 18: built in ≤ 5 s), on this machine. Per database, the real server on a scratch
 * database with `--package-contacts` demo contacts (default 10,000), then one subject planted
 * through the API (a contact with a consent event) whose `--package-history` history entries
 * (default 10,000) are inserted in SQL (writing them through the API would take the run's time,
 * and the package reads them the same way), and `--package-runs` access requests (default 3):
 *
 * - `build`: `POST /privacy-requests/{id}/package` until it reads `review` — as the server stored
 *   it (`updated_at - created_at`: the job's pickup, the lookup, the values read under the
 *   operator's rights, the ZIP sealed into the file store) and as the client waited (polling
 *   every 10 ms): p50 / max in ms.
 * - `handSql` (baseline, same run): the same rows read by hand-written SQL (the contact, its
 *   history, consent events and states, unique values), written as JSON per category and a CSV
 *   per table into a ZIP with the same writer, hashed, not sealed: p50 / max.
 *
 * `ratio` is the build's stored p50 over the baseline's.
 */
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { newId } from '@custos/core';
import type { DatabaseKind } from '@custos/core/testing';
import { zipArchive } from '@custos/exports';
import { seedDemoData } from '../scripts/seed';
import { HttpClient, signIn, startBenchServer } from './crm-search';

export interface PackageBenchOptions {
  contacts: number;
  history: number;
  runs: number;
}

interface Latency {
  p50Ms: number;
  maxMs: number;
}

export interface PackageBenchResult {
  backgroundContacts: number;
  historyEntries: number;
  runs: number;
  items: number;
  zipBytes: number;
  build: { stored: Latency; waited: Latency; ratio: number };
  handSql: Latency & { zipBytes: number };
  targetMs: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: round(sorted[Math.floor(sorted.length / 2)]), maxMs: round(sorted.at(-1)!) };
}

async function ok<T>(reply: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const { status, body } = await reply;
  if (status < 200 || status > 299) {
    throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  }
  return body;
}

/** `history` entries of the contact's job title, inserted in batches. */
async function plantHistory(
  dataSource: DataSource,
  kind: DatabaseKind,
  contactId: string,
  history: number,
): Promise<void> {
  const [contact] = await dataSource.query<{ account_id: string }[]>(
    kind === 'postgres'
      ? 'SELECT account_id FROM crm_contact WHERE id = $1'
      : 'SELECT account_id FROM crm_contact WHERE id = ?',
    [contactId],
  );
  const at = new Date().toISOString();
  const batch = 500;
  for (let start = 0; start < history; start += batch) {
    const rows = Array.from({ length: Math.min(batch, history - start) }, (_, i) => {
      const n = start + i;
      return [
        newId(),
        contact.account_id,
        'contacts',
        contactId,
        'jobtitle',
        JSON.stringify(`Title ${n}`),
        JSON.stringify(`Title ${n + 1}`),
        'api',
        'user',
        'bench',
        at,
      ];
    });
    let p = 0;
    const placeholders = rows
      .map((row) => `(${row.map(() => (kind === 'postgres' ? `$${(p += 1)}` : '?')).join(', ')})`)
      .join(', ');
    await dataSource.query(
      `INSERT INTO crm_property_history (id, account_id, object_type, record_id, property_name, old_value, new_value, source, actor_kind, actor_id, changed_at) VALUES ${placeholders}`,
      rows.flat(),
    );
  }
}

/** The baseline: the same rows by hand-written SQL, into a ZIP with the same writer. */
async function packageByHand(
  dataSource: DataSource,
  kind: DatabaseKind,
  contactId: string,
  email: string,
): Promise<number> {
  const q = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));
  const tables: Record<string, Record<string, unknown>[]> = {
    crm_contact: await dataSource.query(q('SELECT * FROM crm_contact WHERE id = $1'), [contactId]),
    crm_property_history: await dataSource.query(
      q('SELECT * FROM crm_property_history WHERE record_id = $1'),
      [contactId],
    ),
    crm_unique_value: await dataSource.query(
      q('SELECT * FROM crm_unique_value WHERE record_id = $1'),
      [contactId],
    ),
    consent_event: await dataSource.query(
      q('SELECT * FROM consent_event WHERE contact_id = $1 OR address = $2'),
      [contactId, email],
    ),
    consent_state: await dataSource.query(q('SELECT * FROM consent_state WHERE contact_id = $1'), [
      contactId,
    ]),
  };
  const files = Object.entries(tables).flatMap(([table, rows]) => {
    const columns = Object.keys(rows[0] ?? {});
    const csv = [
      columns.join(','),
      ...rows.map((row) => columns.map((c) => JSON.stringify(row[c] ?? '')).join(',')),
    ].join('\r\n');
    return [
      { name: `categories/${table}.json`, content: Buffer.from(JSON.stringify(rows)) },
      { name: `entities/${table}.csv`, content: Buffer.from(csv) },
    ];
  });
  const hash = createHash('sha256');
  let size = 0;
  const entries = (async function* () {
    for (const file of files) {
      yield {
        name: file.name,
        content: (async function* () {
          yield file.content;
        })(),
      };
    }
  })();
  for await (const chunk of zipArchive(entries)) {
    hash.update(chunk);
    size += chunk.length;
  }
  hash.digest('hex');
  return size;
}

export async function benchPrivacyPackages(
  kind: DatabaseKind,
  options: PackageBenchOptions,
): Promise<PackageBenchResult> {
  const server = await startBenchServer(kind, { CUSTOS_JOB_POLL_MS: '10' });
  try {
    process.stderr.write(`privacy-packages on ${kind}: seeding ${options.contacts} contacts…\n`);
    await seedDemoData(server.app, {
      contacts: options.contacts,
      demoUsers: 0,
      randomSeed: 20_261_206,
    });
    const http = new HttpClient(server.port);
    const token = await signIn(http);
    const email = 'subject@bench-packages.test';
    const contact = await ok(
      http.post<{ id: string }>(
        '/api/v1/objects/contacts',
        { properties: { email, firstname: 'Ada', lastname: 'Bench', phone: '+4930123456' } },
        token,
      ),
      'contact',
    );
    const purpose = await ok(
      http.post<{ id: string }>(
        '/api/v1/consent/purposes',
        {
          key: 'bench_news',
          name: 'News',
          legalBasis: 'consent',
          channels: ['email'],
          notice: 'News.',
        },
        token,
      ),
      'purpose',
    );
    await ok(
      http.post(
        `/api/v1/consent/contacts/${contact.id}/events`,
        {
          purposeId: purpose.id,
          channel: 'email',
          address: email,
          status: 'granted',
          source: 'staff',
          noticeVersion: 1,
        },
        token,
      ),
      'consent',
    );
    const dataSource = server.app.get(DataSource);
    process.stderr.write(`privacy-packages on ${kind}: ${options.history} history entries…\n`);
    await plantHistory(dataSource, kind, contact.id, options.history);

    const stored: number[] = [];
    const waited: number[] = [];
    const byHand: number[] = [];
    let items = 0;
    let zipBytes = 0;
    let handBytes = 0;
    for (let run = 0; run < options.runs; run += 1) {
      const request = await ok(
        http.post<{ id: string }>(
          '/api/v1/privacy-requests',
          { type: 'access', channel: 'email', subjectEmail: email, subjectContactId: contact.id },
          token,
        ),
        'request',
      );
      await ok(
        http.post(
          `/api/v1/privacy-requests/${request.id}/transition`,
          { status: 'in_progress' },
          token,
        ),
        'transition',
      );
      const started = process.hrtime.bigint();
      await ok(http.post(`/api/v1/privacy-requests/${request.id}/package`, {}, token), 'build');
      for (;;) {
        const view = await ok(
          http.get<{ state: string; items: number; size: number }>(
            `/api/v1/privacy-requests/${request.id}/package`,
            token,
          ),
          'package',
        );
        if (view.state !== 'building') {
          if (view.state !== 'review') {
            throw new Error(`the package ended ${view.state}`);
          }
          items = view.items;
          zipBytes = view.size;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      waited.push(Number(process.hrtime.bigint() - started) / 1e6);
      const [row] = await dataSource.query<{ created_at: string; updated_at: string }[]>(
        kind === 'postgres'
          ? 'SELECT created_at, updated_at FROM privacy_package WHERE request_id = $1'
          : 'SELECT created_at, updated_at FROM privacy_package WHERE request_id = ?',
        [request.id],
      );
      stored.push(Date.parse(row.updated_at) - Date.parse(row.created_at));

      const handStarted = process.hrtime.bigint();
      handBytes = await packageByHand(dataSource, kind, contact.id, email);
      byHand.push(Number(process.hrtime.bigint() - handStarted) / 1e6);
    }
    http.close();
    const build = latency(stored);
    const handSql = latency(byHand);
    return {
      backgroundContacts: options.contacts,
      historyEntries: options.history,
      runs: options.runs,
      items,
      zipBytes,
      build: {
        stored: build,
        waited: latency(waited),
        ratio: round(build.p50Ms / Math.max(handSql.p50Ms, 0.1)),
      },
      handSql: { ...handSql, zipBytes: handBytes },
      targetMs: 5000,
    };
  } finally {
    await server.close();
  }
}
