import Database from 'better-sqlite3';
import {
  candidateCondition,
  type CandidatePolicy,
  type ClosedColumns,
  type RecordColumns,
} from './retention-condition';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const OLD = '2024-01-01T00:00:00.000Z';
const RECENT = '2026-11-01T00:00:00.000Z';

/** The tables the condition reads, with the columns it names only. */
function database() {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE contacts (id text, account_id text, updated_at text, archived_at text);
    CREATE TABLE consent_state (account_id text, contact_id text, status text, effective_to text);
    CREATE TABLE privacy_retention_done (account_id text, policy_id text, record_id text);
    CREATE TABLE deals (id text, account_id text, dealstage text, closedate text, archived_at text);
    CREATE TABLE privacy_restriction (account_id text, subject_kind text, subject_id text);
    CREATE TABLE companies (id text, account_id text, updated_at text, archived_at text);
    CREATE TABLE events (account_id text, record_id text, at text);
  `);
  return db;
}

const CLOSED: ClosedColumns = {
  stageColumn: 'dealstage',
  stages: ['closedwon', 'closedlost'],
  dateColumn: 'closedate',
};
const COLUMNS: RecordColumns = {
  closed: CLOSED,
  activity:
    'EXISTS (SELECT 1 FROM events e WHERE e.account_id = c.account_id AND e.record_id = c.id AND e.at >= :retentionCutoff)',
};

function selected(db: Database.Database, policy: CandidatePolicy, restricted = false): string[] {
  const { sql, parameters } = candidateCondition(policy, NOW, restricted, COLUMNS);
  const table = policy.objectType === 'contacts' ? 'contacts' : policy.objectType;
  return db
    .prepare(`SELECT c.id FROM ${table} c WHERE ${sql} ORDER BY c.id`)
    .all(parameters)
    .map((row) => (row as { id: string }).id);
}

describe('the SQL of a retention policy’s candidates', () => {
  const stale: CandidatePolicy = {
    id: 'p1',
    accountId: 'a1',
    objectType: 'contacts',
    condition: 'stale_without_consent',
    afterDays: 365,
  };

  it('selects contacts untouched since the cutoff with no consent granted now, of the account, not done yet', () => {
    const db = database();
    const contact = db.prepare('INSERT INTO contacts VALUES (?, ?, ?, ?)');
    contact.run('c1-lapsed', 'a1', OLD, null);
    contact.run('c2-recent', 'a1', RECENT, null);
    contact.run('c3-granted', 'a1', OLD, null);
    contact.run('c4-withdrawn', 'a1', OLD, null);
    contact.run('c5-expired', 'a1', OLD, null);
    contact.run('c6-other-account', 'a2', OLD, null);
    contact.run('c7-done', 'a1', OLD, null);
    contact.run('c8-granted-elsewhere', 'a1', OLD, null);
    const state = db.prepare('INSERT INTO consent_state VALUES (?, ?, ?, ?)');
    state.run('a1', 'c3-granted', 'granted', null);
    state.run('a1', 'c4-withdrawn', 'withdrawn', null);
    state.run('a1', 'c5-expired', 'granted', '2025-01-01T00:00:00.000Z');
    // A state of another account naming the same id does not count.
    state.run('a2', 'c8-granted-elsewhere', 'granted', null);
    db.prepare('INSERT INTO privacy_retention_done VALUES (?, ?, ?)').run('a1', 'p1', 'c7-done');
    expect(selected(db, stale)).toEqual([
      'c1-lapsed',
      'c4-withdrawn',
      'c5-expired',
      'c8-granted-elsewhere',
    ]);
    // Another policy has done nothing yet.
    expect(selected(db, { ...stale, id: 'p2' })).toContain('c7-done');
  });

  it('splits restricted subjects off: the run never sees them, the report counts them', () => {
    const db = database();
    const contact = db.prepare('INSERT INTO contacts VALUES (?, ?, ?, ?)');
    contact.run('c1', 'a1', OLD, null);
    contact.run('c2', 'a1', OLD, null);
    db.prepare('INSERT INTO privacy_restriction VALUES (?, ?, ?)').run('a1', 'contact', 'c2');
    expect(selected(db, stale)).toEqual(['c1']);
    expect(selected(db, stale, true)).toEqual(['c2']);
  });

  it('selects archived contacts by the date they were archived', () => {
    const db = database();
    const contact = db.prepare('INSERT INTO contacts VALUES (?, ?, ?, ?)');
    contact.run('c1-archived-long-ago', 'a1', RECENT, OLD);
    contact.run('c2-archived-lately', 'a1', OLD, RECENT);
    contact.run('c3-live', 'a1', OLD, null);
    expect(selected(db, { ...stale, condition: 'archived', afterDays: 90 })).toEqual([
      'c1-archived-long-ago',
    ]);
  });

  it('selects deals closed before the cutoff date in a closed stage; restriction concerns contacts only', () => {
    const db = database();
    const deal = db.prepare('INSERT INTO deals VALUES (?, ?, ?, ?, ?)');
    deal.run('d1-won-long-ago', 'a1', 'closedwon', '2024-01-01', null);
    deal.run('d2-lost-long-ago', 'a1', 'closedlost', '2024-01-01', null);
    deal.run('d3-lost-lately', 'a1', 'closedlost', '2026-11-30', null);
    deal.run('d4-open-old-date', 'a1', 'appointmentscheduled', '2024-01-01', null);
    deal.run('d5-no-date', 'a1', 'closedwon', null, null);
    deal.run('d6-other-account', 'a2', 'closedwon', '2024-01-01', null);
    const closed: CandidatePolicy = { ...stale, objectType: 'deals', condition: 'closed' };
    expect(selected(db, closed)).toEqual(['d1-won-long-ago', 'd2-lost-long-ago']);
    expect(selected(db, closed, true)).toEqual([]);
    expect(candidateCondition(closed, NOW, false, COLUMNS).parameters).toMatchObject({
      retentionCutoffDate: '2025-12-05',
    });
    expect(() => candidateCondition(closed, NOW, false)).toThrow(/closed/);
  });

  it('selects inactive records: not updated since the cutoff, and no activity the type names since then', () => {
    const db = database();
    const company = db.prepare('INSERT INTO companies VALUES (?, ?, ?, ?)');
    company.run('k1-quiet', 'a1', OLD, null);
    company.run('k2-updated-lately', 'a1', RECENT, null);
    company.run('k3-deal-lately', 'a1', OLD, null);
    company.run('k4-deal-long-ago', 'a1', OLD, null);
    company.run('k5-other-account', 'a2', OLD, null);
    const event = db.prepare('INSERT INTO events VALUES (?, ?, ?)');
    event.run('a1', 'k3-deal-lately', RECENT);
    event.run('a1', 'k4-deal-long-ago', OLD);
    // Activity in another account under the same id does not count.
    event.run('a2', 'k1-quiet', RECENT);
    const inactive: CandidatePolicy = {
      ...stale,
      objectType: 'companies',
      condition: 'inactive',
    };
    expect(selected(db, inactive)).toEqual(['k1-quiet', 'k4-deal-long-ago']);
    expect(() => candidateCondition(inactive, NOW, false, { closed: CLOSED })).toThrow(/activity/);
  });

  it('puts the cutoff afterDays before now, as ISO text (how timestamps are stored)', () => {
    const { parameters } = candidateCondition(stale, NOW, false);
    expect(parameters).toMatchObject({
      retentionCutoff: '2025-12-05T12:00:00.000Z',
      retentionNow: NOW.toISOString(),
      retentionAccountId: 'a1',
      retentionPolicyId: 'p1',
    });
  });
});
