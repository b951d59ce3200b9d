/**
 * bench/consent-audience: the marketing audience of a purpose counted through the CRM's code path
 * vs the same count hand-written in SQL, in the same run, on PostgreSQL (the issue's benchmark).
 *
 * Set-up, on a scratch database with the server booted as `main.ts` wires it:
 * - three purposes through `ConsentPurposes` (two under consent, one under legitimate interest);
 * - `--audience-contacts` contacts (default 1,000,000), seeded by `INSERT … SELECT` over
 *   `generate_series` (not through the API): e-mails `person.N@example.test`, one in ten written
 *   in mixed case, one in twenty without an e-mail, one in two hundred archived;
 * - their consent histories of about five events per contact and purpose, as the materialised
 *   state they leave (`consent_state`: the last event of each key, what the audience reads): per
 *   contact and purpose a state for every address (55 % granted, 25 % withdrawn, 8 % pending, 5 %
 *   expired, 4 % not yet in effect, 3 % granted until a later date), and for one in five a state
 *   for the contact's own address, newer or older than it (half withdrawn, half granted); 1 % of
 *   the addresses on the blacklist. The event rows themselves are not written: the audience never
 *   reads them, and 15,000,000 of them would take about six minutes here;
 * - `ANALYZE` of the tables.
 *
 * Measured, alternating over `ROUNDS` rounds of `SAMPLES` each:
 * - `audience`: `CrmMarketingAudience.count` as the super admin (the scoped record query with the
 *   consent lib's audience condition, as mailings and the audience route use it);
 * - `handWritten` (baseline): a `COUNT(*)` of the same rule written by hand in another spelling
 *   (`DISTINCT ON` for the newest state): a live contact of the account whose newest state for
 *   the purpose on e-mail (for all addresses or its own) is a granted consent in effect, its
 *   address not blacklisted.
 * Both counts must be equal. p50 / p95 / mean in ms, `ratio` = audience p50 ÷ hand-written p50
 * (target ≤ 2), and the `EXPLAIN (ANALYZE, BUFFERS)` of both.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ConsentPurposes } from '@custos/consent';
import { RequestContext, TransactionHost, type Actor } from '@custos/core';
import { createTestDatabase, type DatabaseKind } from '@custos/core/testing';
import { Membership } from '@custos/identity';
import { CrmMarketingAudience } from '../src/crm/consent';
import { bootBenchApp } from './crm-search';

export interface ConsentAudienceOptions {
  contacts: number;
}

interface Latency {
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
}

export interface ConsentAudienceResult {
  contacts: number;
  stateRows: number;
  count: number;
  seedSeconds: number;
  audience: Latency;
  handWritten: Latency;
  /** audience p50 ÷ hand-written p50. */
  ratio: number;
  explain: { audience: string[]; handWritten: string[] };
  loadAverage: { before: number; after: number };
}

/** Rounds of SAMPLES counts each way (a count over 1,000,000 contacts takes seconds here). */
const ROUNDS = 2;
const SAMPLES = 3;

const round = (n: number) => Math.round(n * 1000) / 1000;

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50Ms: round(sorted[Math.floor(sorted.length / 2)]),
    p95Ms: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

async function timed<T>(samples: number[], work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await work();
  samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  return result;
}

/**
 * The rule of the audience written by hand (consent basis, e-mail), in another spelling than the
 * lib's: each contact's newest state of the purpose (for all addresses or its own) by `DISTINCT
 * ON … ORDER BY seq DESC`, granted and in effect, the address not blacklisted. $1 account, $2
 * purpose, $3 now.
 */
const HAND_WRITTEN = `SELECT COUNT(*) AS total FROM crm_contact c
  WHERE c.account_id = $1 AND c.archived_at IS NULL
    AND c.id IN (SELECT newest.contact_id FROM (
      SELECT DISTINCT ON (s.contact_id) s.contact_id, s.status, s.effective_from, s.effective_to
      FROM consent_state s JOIN crm_contact o ON o.id = s.contact_id AND o.account_id = s.account_id
      WHERE s.account_id = $1 AND s.purpose_id = $2 AND s.channel = 'email'
        AND s.address IN ('', LOWER(TRIM(o.email)))
      ORDER BY s.contact_id, s.seq DESC) newest
      WHERE newest.status = 'granted' AND newest.effective_from <= $3
        AND (newest.effective_to IS NULL OR newest.effective_to > $3))
    AND NOT EXISTS (SELECT 1 FROM consent_blacklist b
      WHERE b.account_id = c.account_id AND b.value = LOWER(TRIM(c.email)))`;

/** Seeds contacts, consent states and the blacklist in SQL; returns the number of state rows. */
async function seed(
  url: string,
  accountId: string,
  ownerId: string,
  purposes: readonly string[],
  contacts: number,
): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    const past = '2026-01-01T00:00:00.000Z';
    // i → a stable pseudo-random 0..99 per salt, spread as hashtext spreads.
    const bucket = (salt: string) => `(abs(hashtext(g::text || '${salt}')) % 100)`;
    const id = (salt: string) => `md5(g::text || '${salt}')::uuid::text`;
    // The contact table's secondary indexes are made again after the load (as a restore does):
    // maintaining a dozen of them row by row is most of the load's time.
    const indexes = (
      await client.query<{ name: string; definition: string }>(
        `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
         WHERE tablename = 'crm_contact' AND indexname <> 'crm_contact_pk'`,
      )
    ).rows;
    for (const index of indexes) {
      await client.query(`DROP INDEX "${index.name}"`);
    }
    await client.query(
      `INSERT INTO crm_contact (account_id, owner_id, custom, created_at, updated_at, archived_at, id, email, firstname, lastname, country, lifecyclestage)
       SELECT $1::varchar, $2::varchar, '{}', $3::varchar, $3::varchar, CASE WHEN g % 200 = 3 THEN $3::varchar END, ${id('c')},
         CASE WHEN g % 20 = 1 THEN NULL WHEN g % 10 = 2 THEN 'Person.' || g || '@Example.test' ELSE 'person.' || g || '@example.test' END,
         'Person', 'N' || g, 'DE', 'lead'
       FROM generate_series(1, $4::int) g`,
      [accountId, ownerId, past, contacts],
    );
    for (const index of indexes) {
      await client.query(index.definition);
    }
    const email = `CASE WHEN g % 20 = 1 THEN NULL ELSE 'person.' || g || '@example.test' END`;
    for (const [p, purposeId] of purposes.entries()) {
      const h = bucket(`s${p}`);
      const a = bucket(`a${p}`);
      // The last of five events of the key (seq spaced by 6 per contact and purpose).
      const seq = `((g * 3 + ${p}) * 6 + 5)`;
      await client.query(
        `INSERT INTO consent_state (account_id, contact_id, purpose_id, channel, address, status, seq, event_id, notice_version, effective_from, effective_to)
         SELECT $1::varchar, ${id('c')}, $2::varchar, 'email', '',
           CASE WHEN ${h} < 55 OR ${h} >= 88 THEN 'granted' WHEN ${h} < 80 THEN 'withdrawn' ELSE 'pending' END,
           ${seq}, ${id(`e${p}`)}, 1,
           CASE WHEN ${h} BETWEEN 93 AND 96 THEN '2099-01-01T00:00:00.000Z' ELSE $3::varchar END,
           CASE WHEN ${h} BETWEEN 88 AND 92 THEN '2026-02-01T00:00:00.000Z' WHEN ${h} >= 97 THEN '2099-01-01T00:00:00.000Z' END
         FROM generate_series(1, $4::int) g`,
        [accountId, purposeId, past, contacts],
      );
      // One in five: a state for the contact's own address, newer (even) or older (odd).
      await client.query(
        `INSERT INTO consent_state (account_id, contact_id, purpose_id, channel, address, status, seq, event_id, notice_version, effective_from, effective_to)
         SELECT $1::varchar, ${id('c')}, $2::varchar, 'email', ${email},
           CASE WHEN ${a} < 10 THEN 'withdrawn' ELSE 'granted' END,
           ${seq} + CASE WHEN ${a} % 2 = 0 THEN 1 ELSE -2 END, ${id(`f${p}`)}, 1, $3::varchar, NULL
         FROM generate_series(1, $4::int) g WHERE ${a} < 20 AND g % 20 <> 1`,
        [accountId, purposeId, past, contacts],
      );
    }
    await client.query(
      `INSERT INTO consent_blacklist (id, account_id, kind, value, reason, created_at)
       SELECT ${id('b')}, $1::varchar, 'email', 'person.' || g || '@example.test',
         CASE WHEN g % 2 = 0 THEN 'manual' ELSE 'bounces' END, $2::varchar
       FROM generate_series(1, $3::int) g WHERE g % 100 = 7`,
      [accountId, past, contacts],
    );
    await client.query('ANALYZE crm_contact, consent_state, consent_blacklist');
    const [{ count }] = (
      await client.query<{ count: string }>('SELECT COUNT(*) AS count FROM consent_state')
    ).rows;
    return Number(count);
  } finally {
    await client.end();
  }
}

export async function benchConsentAudience(
  kind: DatabaseKind,
  options: ConsentAudienceOptions,
): Promise<ConsentAudienceResult> {
  const before = loadavg()[0];
  const database = await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-audience-'));
  const app = await bootBenchApp({
    databaseUrl: database.url,
    dataDir,
    masterKey: randomBytes(32).toString('base64'),
  });
  try {
    const membership = await app
      .get(DataSource)
      .getRepository(Membership)
      .findOneByOrFail({ superAdmin: true, status: 'active' });
    const admin: Actor = {
      kind: 'user',
      id: membership.userId,
      accountId: membership.accountId,
      userId: membership.userId,
      label: 'bench',
      superAdmin: true,
    };
    const context = app.get(RequestContext);
    const purposes = await context.runAs(admin, async () => {
      const service = app.get(ConsentPurposes);
      const made = [];
      for (const [key, legalBasis] of [
        ['newsletter', 'consent'],
        ['events', 'consent'],
        ['customer_news', 'legitimate_interest'],
      ] as const) {
        made.push(
          await service.create({
            key,
            name: key,
            legalBasis,
            channels: ['email'],
            notice: `The ${key} notice.`,
          }),
        );
      }
      return made.map((purpose) => purpose.id);
    });
    process.stderr.write(`consent audience on ${kind}: seeding ${options.contacts} contacts…\n`);
    const seedStarted = process.hrtime.bigint();
    const stateRows = await seed(
      database.url,
      admin.accountId,
      admin.id,
      purposes,
      options.contacts,
    );
    const seedSeconds = Number(process.hrtime.bigint() - seedStarted) / 1e9;

    const [purposeId] = purposes;
    const audience = app.get(CrmMarketingAudience);
    const host = app.get(TransactionHost);
    // The SQL the code path runs (for its EXPLAIN), seen as it goes to the database.
    const captured: { text: string; parameters: Record<string, unknown> }[] = [];
    const queryNamed = host.queryNamed.bind(host);
    host.queryNamed = (text, parameters) => {
      captured.push({ text, parameters });
      return queryNamed(text, parameters);
    };
    const viaCode = () => context.runAs(admin, () => audience.count(purposeId, 'email'));
    const now = new Date().toISOString();
    const viaSql = async () => {
      const [row] = await app
        .get(DataSource)
        .query<{ total: string }[]>(HAND_WRITTEN, [admin.accountId, purposeId, now]);
      return Number(row.total);
    };
    const codeCount = await viaCode();
    host.queryNamed = queryNamed;
    const sqlCount = await viaSql();
    if (codeCount !== sqlCount) {
      throw new Error(`the audience counts ${codeCount}, the hand-written SQL ${sqlCount}`);
    }
    const statement = captured.find((c) => c.text.includes('consent_state'));
    if (!statement) {
      throw new Error('the audience count ran no SQL over consent_state');
    }
    const plan = (rows: { 'QUERY PLAN': string }[]) => rows.map((row) => row['QUERY PLAN']);
    const explain = {
      audience: plan(
        await context.runAs(admin, () =>
          host.queryNamed<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`,
            statement.parameters,
          ),
        ),
      ),
      handWritten: plan(
        await app
          .get(DataSource)
          .query(`EXPLAIN (ANALYZE, BUFFERS) ${HAND_WRITTEN}`, [admin.accountId, purposeId, now]),
      ),
    };
    process.stderr.write(`consent audience on ${kind}: measuring…\n`);
    const codeSamples: number[] = [];
    const sqlSamples: number[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      for (let i = 0; i < SAMPLES; i += 1) {
        await timed(codeSamples, viaCode);
      }
      for (let i = 0; i < SAMPLES; i += 1) {
        await timed(sqlSamples, viaSql);
      }
    }
    const code = latency(codeSamples);
    const sql = latency(sqlSamples);
    return {
      contacts: options.contacts,
      stateRows,
      count: codeCount,
      seedSeconds: round(seedSeconds),
      audience: code,
      handWritten: sql,
      ratio: round(code.p50Ms / sql.p50Ms),
      explain,
      loadAverage: { before: round(before), after: round(loadavg()[0]) },
    };
  } finally {
    await app.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
