/**
 * bench/privacy-erasure: erasure of one subject (issue 18: ≤ 1 s), on this machine. Per
 * database, the real server on a scratch database with `--erasure-contacts` demo contacts
 * (default 20,000, with companies and deals), then `subjects` subjects planted through the API,
 * each two contacts (one holding a closed-won deal, so anonymised) with property history, a
 * consent event each and the first email on the blacklist, and an erasure request in progress:
 *
 * - `erasure`: `POST /privacy-requests/{id}/erasure` until the erasure reads `completed`, as
 *   the server stored it (`completed_at - created_at`: the job's pickup, both contacts, the values,
 *   the end) and as the client waited for it (polling every 5 ms): p50 / p95 / max in ms.
 * - `handSql` (baseline, same run): for another planted subject, the same rows deleted and
 *   updated by hand-written SQL in one transaction (history, unique values, blind index, consent
 *   state and events, associations, contacts, blacklist): p50 / p95 / max.
 *
 * `ratio` is the erasure's stored p50 over the baseline's.
 */
import { DataSource } from 'typeorm';
import type { DatabaseKind } from '@custos/core/testing';
import { seedDemoData } from '../scripts/seed';
import { HttpClient, signIn, startBenchServer } from './crm-search';

export interface ErasureBenchOptions {
  contacts: number;
  subjects: number;
}

interface Latency {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface ErasureResult {
  backgroundContacts: number;
  subjects: number;
  contactsPerSubject: number;
  erasure: { stored: Latency; waited: Latency; ratio: number };
  handSql: Latency;
  targetMs: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50Ms: round(at(0.5)), p95Ms: round(at(0.95)), maxMs: round(sorted.at(-1)!) };
}

interface Planted {
  requestId: string;
  contactIds: string[];
  emails: string[];
}

async function expect201<T>(reply: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const { status, body } = await reply;
  if (status !== 201 && status !== 200 && status !== 204 && status !== 202) {
    throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  }
  return body;
}

async function plant(
  http: HttpClient,
  token: string,
  purposeId: string,
  tag: string,
): Promise<Planted> {
  const emails = [0, 1].map((i) => `${tag}.${i}@bench-erasure.test`);
  const created = await expect201(
    http.post<{ results: { id: string }[] }>(
      '/api/v1/objects/contacts/batch/create',
      {
        inputs: emails.map((email) => ({
          properties: { email, firstname: 'Ada', lastname: `Bench ${tag}`, phone: '+4930123456' },
        })),
      },
      token,
    ),
    'contacts',
  );
  const contactIds = created.results.map((r) => r.id);
  for (const [i, id] of contactIds.entries()) {
    await expect201(
      http.patch(`/api/v1/objects/contacts/${id}`, { properties: { jobtitle: 'Engineer' } }, token),
      'update',
    );
    await expect201(
      http.post(
        `/api/v1/consent/contacts/${id}/events`,
        {
          purposeId,
          channel: 'email',
          address: emails[i],
          status: 'granted',
          source: 'staff',
          noticeVersion: 1,
        },
        token,
      ),
      'consent',
    );
  }
  await expect201(
    http.post('/api/v1/consent/blacklist', { address: emails[0] }, token),
    'blacklist',
  );
  const deal = await expect201(
    http.post<{ id: string }>(
      '/api/v1/objects/deals',
      { properties: { dealname: `Contract ${tag}`, dealstage: 'closedwon' } },
      token,
    ),
    'deal',
  );
  await expect201(
    http.put(`/api/v1/objects/contacts/${contactIds[0]}/associations/deals/${deal.id}`, {}, token),
    'association',
  );
  const request = await expect201(
    http.post<{ id: string }>(
      '/api/v1/privacy-requests',
      { type: 'erasure', channel: 'email', subjectEmail: emails[0] },
      token,
    ),
    'request',
  );
  await expect201(
    http.post(
      `/api/v1/privacy-requests/${request.id}/transition`,
      { status: 'in_progress' },
      token,
    ),
    'transition',
  );
  return { requestId: request.id, contactIds, emails };
}

/** The same rows as the erasure, by hand, in one transaction. */
async function eraseByHand(dataSource: DataSource, kind: DatabaseKind, subject: Planted) {
  const sql = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));
  const [kept, removed] = subject.contactIds;
  await dataSource.transaction(async (manager) => {
    for (const id of subject.contactIds) {
      for (const table of ['crm_property_history', 'crm_unique_value', 'crm_blind_index']) {
        await manager.query(sql(`DELETE FROM ${table} WHERE record_id = $1`), [id]);
      }
      await manager.query(sql('DELETE FROM consent_state WHERE contact_id = $1'), [id]);
      await manager.query(
        sql(
          "UPDATE consent_event SET address = '', ip = NULL, user_agent = NULL, proof = NULL WHERE contact_id = $1",
        ),
        [id],
      );
    }
    await manager.query(
      sql(
        "UPDATE crm_contact SET email = NULL, firstname = NULL, lastname = NULL, phone = NULL, jobtitle = NULL, custom = '{}' WHERE id = $1",
      ),
      [kept],
    );
    await manager.query(sql('DELETE FROM crm_association WHERE from_id = $1 OR to_id = $2'), [
      removed,
      removed,
    ]);
    await manager.query(sql('DELETE FROM crm_contact WHERE id = $1'), [removed]);
    await manager.query(sql('DELETE FROM consent_blacklist WHERE value = $1'), [subject.emails[0]]);
  });
}

export async function benchPrivacyErasure(
  kind: DatabaseKind,
  options: ErasureBenchOptions,
): Promise<ErasureResult> {
  const server = await startBenchServer(kind, { CUSTOS_JOB_POLL_MS: '10' });
  try {
    process.stderr.write(`privacy-erasure on ${kind}: seeding ${options.contacts} contacts…\n`);
    await seedDemoData(server.app, {
      contacts: options.contacts,
      demoUsers: 0,
      randomSeed: 20_261_205,
    });
    const http = new HttpClient(server.port);
    const token = await signIn(http);
    const purpose = await expect201(
      http.post<{ id: string }>(
        '/api/v1/consent/purposes',
        {
          key: 'bench_letters',
          name: 'Letters',
          legalBasis: 'consent',
          channels: ['email'],
          notice: 'Letters.',
        },
        token,
      ),
      'purpose',
    );
    const dataSource = server.app.get(DataSource);
    const stored: number[] = [];
    const waited: number[] = [];
    const byHand: number[] = [];
    for (let i = 0; i < options.subjects; i += 1) {
      const subject = await plant(http, token, purpose.id, `s${i}`);
      const started = process.hrtime.bigint();
      await expect201(
        http.post(
          `/api/v1/privacy-requests/${subject.requestId}/erasure`,
          { contactIds: subject.contactIds, emails: subject.emails, phones: ['+4930123456'] },
          token,
        ),
        'erasure',
      );
      for (;;) {
        const view = await http.get<{ status: string }>(
          `/api/v1/privacy-requests/${subject.requestId}/erasure`,
          token,
        );
        if (view.body.status === 'completed') {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      waited.push(Number(process.hrtime.bigint() - started) / 1e6);
      const [row] = await dataSource.query<{ created_at: string; completed_at: string }[]>(
        kind === 'postgres'
          ? 'SELECT created_at, completed_at FROM privacy_erasure WHERE request_id = $1'
          : 'SELECT created_at, completed_at FROM privacy_erasure WHERE request_id = ?',
        [subject.requestId],
      );
      stored.push(Date.parse(row.completed_at) - Date.parse(row.created_at));

      const control = await plant(http, token, purpose.id, `h${i}`);
      const handStarted = process.hrtime.bigint();
      await eraseByHand(dataSource, kind, control);
      byHand.push(Number(process.hrtime.bigint() - handStarted) / 1e6);
    }
    http.close();
    const erasure = latency(stored);
    const handSql = latency(byHand);
    return {
      backgroundContacts: options.contacts,
      subjects: options.subjects,
      contactsPerSubject: 2,
      erasure: {
        stored: erasure,
        waited: latency(waited),
        ratio: round(erasure.p50Ms / Math.max(handSql.p50Ms, 0.1)),
      },
      handSql,
      targetMs: 1000,
    };
  } finally {
    await server.close();
  }
}
