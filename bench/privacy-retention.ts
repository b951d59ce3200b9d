/**
 * bench/privacy-retention: a retention run at scale (issue 18 item 8). Per database, the real
 * server on a scratch database; its account gets `--retention-contacts` contacts (default
 * 100,000), written by multi-row INSERTs: `--retention-candidates` of them (default 2,000)
 * untouched since 2020 without consent, as many untouched but with consent granted (the
 * `NOT EXISTS` has work to do), the rest recent; each candidate has a property-history row. A
 * second account (rows only) gets the very same shape, for the baseline.
 *
 * - `dryRun`: `RetentionPolicies.dryRun` of a `stale_without_consent` / `delete` policy — the
 *   counts in SQL, then every candidate's outcome asked of the erasure engine's blockers, page by
 *   page: ms and candidates/s.
 * - `run`: `RetentionPolicies.run` of that policy — each contact re-checked, claimed and erased in
 *   its own transaction through the erasure engine (every registered source, the privacy log, an
 *   audit event): ms and contacts/s.
 * - `handSql` (baseline, same run, the other account): `COUNT(*)` with the same condition written
 *   by hand, and one transaction that deletes the same rows (history, then contacts) with it.
 *
 * `ratio` is each measured time over its baseline's. Figures from a loaded machine are noisy; the
 * ratios within one run are what to compare.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RequestContext, systemActor } from '@custos/core';
import type { DatabaseKind } from '@custos/core/testing';
import { PrivacyRetentionPolicy, RetentionPolicies } from '@custos/privacy';
import { startBenchServer } from './crm-search';

export interface RetentionBenchOptions {
  contacts: number;
  candidates: number;
}

interface Timed {
  ms: number;
  rowsPerSecond: number;
}

export interface RetentionBenchResult {
  contacts: number;
  candidates: number;
  dryRun: Timed & { reported: number; ratio: number };
  run: Timed & { deleted: number; anonymised: number; ratio: number };
  handSql: { count: Timed; delete: Timed };
}

const LONG_AGO = '2020-01-01T00:00:00.000Z';
const ROWS_PER_INSERT = 500;

const elapsed = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;
const timed = (ms: number, rows: number): Timed => ({
  ms: Math.round(ms),
  rowsPerSecond: Math.round((rows / Math.max(ms, 0.001)) * 1000),
});

/** Multi-row INSERTs of `rows` into `table`, in one transaction. */
async function insertAll(
  dataSource: DataSource,
  kind: DatabaseKind,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + ROWS_PER_INSERT);
      let n = 0;
      const values = chunk
        .map(
          () => `(${columns.map(() => (kind === 'postgres' ? `$${(n += 1)}` : '?')).join(', ')})`,
        )
        .join(', ');
      await manager.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`,
        chunk.flat(),
      );
    }
  });
}

/** The account's contacts: candidates first (stale, no consent), then stale with consent, then recent. */
async function seed(
  dataSource: DataSource,
  kind: DatabaseKind,
  accountId: string,
  options: RetentionBenchOptions,
): Promise<void> {
  const now = new Date().toISOString();
  const contacts: unknown[][] = [];
  const history: unknown[][] = [];
  const consent: unknown[][] = [];
  for (let i = 0; i < options.contacts; i += 1) {
    const id = randomUUID();
    const stale = i < options.candidates * 2;
    const email = `c${i}.${accountId.slice(0, 8)}@retention.bench`;
    contacts.push([id, accountId, '{}', now, stale ? LONG_AGO : now, email, 'Ada', `Bench ${i}`]);
    if (i < options.candidates) {
      history.push([
        randomUUID(),
        accountId,
        'contacts',
        id,
        'email',
        null,
        email,
        'api',
        'user',
        'bench',
        LONG_AGO,
      ]);
    } else if (stale) {
      consent.push([
        accountId,
        id,
        'bench-purpose',
        'email',
        email,
        'granted',
        1,
        randomUUID(),
        1,
        LONG_AGO,
      ]);
    }
  }
  await insertAll(
    dataSource,
    kind,
    'crm_contact',
    ['id', 'account_id', 'custom', 'created_at', 'updated_at', 'email', 'firstname', 'lastname'],
    contacts,
  );
  await insertAll(
    dataSource,
    kind,
    'crm_property_history',
    [
      'id',
      'account_id',
      'object_type',
      'record_id',
      'property_name',
      'old_value',
      'new_value',
      'source',
      'actor_kind',
      'actor_id',
      'changed_at',
    ],
    history,
  );
  await insertAll(
    dataSource,
    kind,
    'consent_state',
    [
      'account_id',
      'contact_id',
      'purpose_id',
      'channel',
      'address',
      'status',
      'seq',
      'event_id',
      'notice_version',
      'effective_from',
    ],
    consent,
  );
}

/** The policy's condition, written by hand (what the baseline counts and deletes). */
function handCondition(kind: DatabaseKind, offset = 0): string {
  const p = (i: number) => (kind === 'postgres' ? `$${i + offset}` : '?');
  return `c.account_id = ${p(1)} AND c.updated_at < ${p(2)} AND NOT EXISTS (SELECT 1 FROM consent_state s WHERE s.account_id = c.account_id AND s.contact_id = c.id AND s.status = 'granted')`;
}

export async function benchPrivacyRetention(
  kind: DatabaseKind,
  options: RetentionBenchOptions,
): Promise<RetentionBenchResult> {
  if (options.candidates < 1 || options.candidates * 2 > options.contacts) {
    throw new Error('privacy-retention: --retention-candidates must be 1 to half the contacts');
  }
  const server = await startBenchServer(kind);
  try {
    const dataSource = server.app.get(DataSource);
    const [{ id: accountId }] = await dataSource.query<{ id: string }[]>(
      'SELECT id FROM identity_account ORDER BY id LIMIT 1',
    );
    const baselineAccount = randomUUID();
    process.stderr.write(
      `privacy-retention on ${kind}: seeding 2 × ${options.contacts} contacts…\n`,
    );
    await seed(dataSource, kind, accountId, options);
    await seed(dataSource, kind, baselineAccount, options);
    await dataSource.query('ANALYZE');

    const context = server.app.get(RequestContext);
    const policies = server.app.get(RetentionPolicies);
    const asSystem = <T>(work: () => Promise<T>) => context.runAs(systemActor(accountId), work);
    const created = await asSystem(() =>
      policies.create({
        name: 'Lapsed contacts',
        objectType: 'contacts',
        condition: 'stale_without_consent',
        afterDays: 365,
        action: 'delete',
      }),
    );
    const cutoff = new Date(Date.now() - 365 * 86_400_000).toISOString();

    process.stderr.write(`privacy-retention on ${kind}: dry run and hand-written count…\n`);
    let started = process.hrtime.bigint();
    const report = await asSystem(() => policies.dryRun(created.id));
    const dryMs = elapsed(started);
    started = process.hrtime.bigint();
    const [{ n }] = await dataSource.query<{ n: string | number }[]>(
      `SELECT COUNT(*) AS n FROM crm_contact c WHERE ${handCondition(kind)}`,
      [baselineAccount, cutoff],
    );
    const countMs = elapsed(started);
    if (Number(n) !== options.candidates || report.candidates !== options.candidates) {
      throw new Error(
        `privacy-retention: expected ${options.candidates} candidates, the dry run saw ${report.candidates}, SQL ${n}`,
      );
    }

    process.stderr.write(`privacy-retention on ${kind}: run and hand-written delete…\n`);
    const row = await dataSource
      .getRepository(PrivacyRetentionPolicy)
      .findOneByOrFail({ accountId, id: created.id });
    started = process.hrtime.bigint();
    const done = await asSystem(() => policies.run(row));
    const runMs = elapsed(started);
    started = process.hrtime.bigint();
    await dataSource.transaction(async (manager) => {
      await manager.query(
        `DELETE FROM crm_property_history WHERE account_id = ${kind === 'postgres' ? '$1' : '?'} AND object_type = 'contacts' AND record_id IN (SELECT c.id FROM crm_contact c WHERE ${handCondition(kind, 1)})`,
        [baselineAccount, baselineAccount, cutoff],
      );
      await manager.query(
        `DELETE FROM crm_contact WHERE id IN (SELECT c.id FROM crm_contact c WHERE ${handCondition(kind)})`,
        [baselineAccount, cutoff],
      );
    });
    const deleteMs = elapsed(started);
    if (done.deleted !== options.candidates) {
      throw new Error(
        `privacy-retention: the run deleted ${done.deleted} of ${options.candidates}`,
      );
    }
    return {
      contacts: options.contacts,
      candidates: options.candidates,
      dryRun: {
        ...timed(dryMs, report.candidates),
        reported: report.candidates,
        ratio: Math.round((dryMs / Math.max(countMs, 0.001)) * 10) / 10,
      },
      run: {
        ...timed(runMs, done.deleted + done.anonymised),
        ...done,
        ratio: Math.round((runMs / Math.max(deleteMs, 0.001)) * 10) / 10,
      },
      handSql: {
        count: timed(countMs, Number(n)),
        delete: timed(deleteMs, options.candidates),
      },
    };
  } finally {
    await server.close();
  }
}
