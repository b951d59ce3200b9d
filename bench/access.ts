/**
 * bench/access: what access control costs, on the real server and on `@custos/access` alone.
 *
 * Per database (SQLite, PostgreSQL), twice: on a server with `contacts / 5` contacts, then on
 * another (in the same process, the first one closed) with `contacts` — each a fresh
 * `startBenchServer` (as bench/crm-search) seeded in one go with bench/crm-search's random seed:
 *
 * 1. Seeds the contacts (scripts/seed.ts: 20 demo users in 4 demo teams and 3 demo business
 *    units; owners spread over the account's members, Zipf-like; approximate planner statistics),
 *    then sets up through the HTTP API, as an administrator would:
 *    - the demo team whose members own the share of contacts closest to 15 % (the seeder's spread
 *      gives 17–25 % per team; no owner is rewritten), and a new user (`rep`, with a password) in
 *      that team;
 *    - a role with team-level reads (`contacts`/`companies`/`deals` read at `team`, update at
 *      `own`), assigned to `rep`;
 *    - two record rules: a restrict rule on that role (`country $in` eight European countries)
 *      and an account-wide restrict rule (`lifecyclestage $ne 'other'`);
 *    - three field restrictions on contacts (view allow-lists): `phone` and `birthdate` super
 *      admins only, `jobtitle` another team only.
 * 2. (a) `search`: times, round-robin, the same search (`country eq 'DE'`, sorted by `lastname`,
 *    limit 50; one request returns the page and the total) through the HTTP API as the super
 *    admin and as `rep`, and the SQL the server generated for each (page, then count; captured
 *    from TypeORM's log, run with the raw driver). Checks `rep`'s total and page against
 *    hand-written SQL of the same rules, and that the restricted properties are redacted. Process
 *    memory (after a forced GC) is taken before and after the loop; comparing the two sizes shows
 *    whether memory grows with the number of records. At the larger size, the query plans of all
 *    four statements and the planner's statistics are reported.
 *
 * At the larger size only:
 * 3. (c) `abilityBuild`: `AccessService.accessFor(rep)` on a fresh instance (empty cache: version
 *    read, roles, rules and field permissions loaded from the database, compiled), the same on the
 *    server's instance when cached (one version read), `AccessService.build` (loads and compile,
 *    no version read) and `buildAccess` alone (compile from loaded inputs).
 * 4. (d) `roleChange`: alternately removes and re-adds the role's `contacts` read privilege with
 *    `PATCH /api/v1/roles/{id}` and immediately searches as `rep`: the first request after each
 *    PATCH must show the new rights (no results / the full scoped total).
 *
 * Once, without a database: (b) `canChecks`, `ability.can()` per second on a 50-rule ability
 * (`createAccessAbility`; rules as `buildAccess` makes them for a user holding three roles, with
 * level, role and account-wide conditions, deny rules and field restrictions) over subjects tagged
 * once, outside the timed loop.
 */
import { subject as tagSubject } from '@casl/ability';
import { ModuleRef } from '@nestjs/core';
import Database from 'better-sqlite3';
import { Agent, request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  ACCESS_DIRECTORY,
  ACCESS_MODULE_OPTIONS,
  AccessService,
  FieldPermission,
  RecordRule,
  buildAccess,
  createAccessAbility,
  type AccessDirectory,
  type AccessModuleOptions,
  type AccessRule,
  type RecordAction,
} from '@custos/access';
import { RequestContext, TransactionHost, type Actor } from '@custos/core';
import type { DatabaseKind } from '@custos/core/testing';
import { seedDemoData, type SeedResult } from '../scripts/seed';
import { HttpClient, signIn, startBenchServer, type Timing } from './crm-search';

export interface AccessBenchOptions {
  /** Contacts at the end; the first measurement is at a fifth of it. */
  contacts: number;
  iterations: number;
  warmup: number;
}

const REP_EMAIL = 'rep.bench@example.com';
const REP_PASSWORD = 'a long enough bench password';
const RANDOM_SEED = 20_260_101;
const TARGET_TEAM_SHARE = 0.15;
/** The role restrict rule: contacts in these countries only. */
const ROLE_COUNTRIES = ['DE', 'AT', 'CH', 'NL', 'BE', 'FR', 'GB', 'IE'];
const HIDDEN_FROM_REP = ['phone', 'birthdate', 'jobtitle'];
const SEARCH_COUNTRY = 'DE';
/** PATCHes in the role-change measurement (half remove, half re-add). */
const ROLE_CHANGES = 20;

// ---------------------------------------------------------------------------------------------
// Results

export interface Micros {
  medianUs: number;
  p95Us: number;
  meanUs: number;
}

export interface Memory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export interface SearchPhase {
  /** Contacts in the account when measured. */
  contacts: number;
  /** Contacts with `country = 'DE'` (the super admin's total) and those `rep` may read. */
  totals: { superAdmin: number; rep: number };
  /** `rep`'s total and page equal hand-written SQL of the same rules; restricted properties redacted. */
  correct: boolean;
  iterations: number;
  /** Whole requests: `POST /api/v1/objects/contacts/search` over HTTP keep-alive, response parsed. */
  api: { superAdmin: Timing; rep: Timing };
  /** The SQL the server generated for each (page, then count), run with the raw driver. */
  sql: { superAdmin: Timing; rep: Timing };
  ratios: {
    /** rep / super admin, medians of whole requests. Target ≤ 1.2. */
    apiMedian: number;
    apiP95: number;
    withinTarget: boolean;
    /** rep / super admin, medians of their generated SQL alone. */
    sqlMedian: number;
  };
  /** Where rep's extra time is: whole request vs SQL alone (medians, ms). */
  gapMs: { api: number; sql: number };
  /** Process memory after a forced GC, before and after the loop (client and server in one process). */
  memory: {
    before: Memory;
    after: Memory;
    heapUsedDeltaMb: number;
    rssDeltaMb: number;
    requests: number;
  };
}

export interface AccessDatabaseResult {
  database: DatabaseKind;
  seed: SeedResult[];
  setup: {
    team: string;
    teamMembers: number;
    /** Share of all contacts owned by the team's members (rep included), at each size. */
    teamShare: number[];
    role: string;
    recordRules: string[];
    fieldRestrictions: string[];
    /** CASL rules in rep's compiled ability. */
    repAbilityRules: number;
  };
  search: SearchPhase[];
  /**
   * Memory after the larger size's loop minus after the smaller's (forced GC; same process, the
   * smaller size's server closed before). RSS also keeps what the seeder and the closed server
   * freed but the allocator did not return: heap is the measure.
   */
  memoryGrowth: { contacts: [number, number]; heapUsedMb: number; rssMb: number };
  /** The generated SQL at the larger size and its plans (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE). */
  queries: Record<'superAdmin' | 'rep', Record<'page' | 'count', { sql: string; plan: string[] }>>;
  /** What the planner knows of crm_contact at the larger size (as the seeder left it). */
  plannerStatistics: string[];
  abilityBuild: {
    iterations: number;
    /** accessFor on an AccessService with an empty cache: version read, loads, compile. */
    coldAccessFor: Micros;
    /** AccessService.build: roles, rules, field permissions and the member loaded, compiled. */
    build: Micros;
    /** buildAccess alone, from inputs loaded once. */
    compileOnly: Micros;
    /** accessFor when cached: one read of the account's access version. */
    cachedAccessFor: Micros;
  };
  roleChange: {
    changes: number;
    /** First requests after a PATCH that still showed the old rights. Must be 0. */
    staleRequests: number;
    /** Removing `contacts read` (the next search must return nothing). */
    remove: RoleChangeTiming;
    /** Adding it back (the next search must return rep's full scoped total). */
    add: RoleChangeTiming & {
      /** The search after that one (access cached again): the first one's extra is the rebuild. */
      secondRequest: Timing;
    };
  };
}

export interface RoleChangeTiming {
  /** `PATCH /api/v1/roles/{id}` (validation, grant ceiling, audit, access version bump). */
  patch: Timing;
  /** The first search as rep after the PATCH (rebuilds rep's access). */
  nextRequest: Timing;
  /** PATCH + that search: from the change to a response that reflects it. */
  patchPlusNextRequest: Timing;
}

export interface CanChecksResult {
  rules: number;
  ruleMix: Record<string, number>;
  subjects: number;
  /** Share of the mixed checks that were allowed (the mix is not all-deny nor all-allow). */
  allowedShare: number;
  /** Mixed actions and subject types, 20 % with a field; median of 5 runs of ≥ 0.5 s. Target ≥ 1,000,000. */
  checksPerSecond: number;
  /** The fastest of those runs: the rate with the least interference from other processes. */
  bestRunChecksPerSecond: number;
  /** `read` of contacts that no rule allows: every rule of that action and type is evaluated. */
  worstCaseChecksPerSecond: number;
  withinTarget: boolean;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A keep-alive HTTP client for every method (bench/crm-search's only posts and gets). */
class Http {
  private agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly port: number) {}

  send<T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method,
          agent: this.agent,
          headers: {
            ...(payload !== undefined
              ? {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }
              : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as T });
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends and throws unless the status is `expected`. */
  async expect<T>(
    expected: number,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> {
    const response = await this.send<T>(method, path, body, token);
    if (response.status !== expected) {
      throw new Error(
        `${method} ${path}: expected ${expected}, got ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    return response.body;
  }

  /** A new connection: after a pause longer than the server's keep-alive timeout. */
  reconnect(): void {
    this.agent.destroy();
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
  }

  close(): void {
    this.agent.destroy();
  }
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function sortedStats(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    median: sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
    p95: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))],
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
    min: sorted[0],
  };
}

function timing(samplesMs: readonly number[]): Timing {
  const s = sortedStats(samplesMs);
  return {
    medianMs: round(s.median),
    p95Ms: round(s.p95),
    meanMs: round(s.mean),
    minMs: round(s.min),
  };
}

function micros(samplesMs: readonly number[]): Micros {
  const s = sortedStats(samplesMs);
  return {
    medianUs: round(s.median * 1000, 1),
    p95Us: round(s.p95 * 1000, 1),
    meanUs: round(s.mean * 1000, 1),
  };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = now();
  await work();
  return now() - start;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): Memory {
  gc();
  gc();
  const m = process.memoryUsage();
  const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
  };
}

/** A raw connection to the bench database, outside the server, for the generated SQL and plans. */
interface RawSql {
  query(sql: string, parameters: readonly unknown[]): Promise<Record<string, unknown>[]>;
  explain(sql: string, parameters: readonly unknown[]): Promise<string[]>;
  close(): Promise<void>;
}

function sqliteRaw(file: string): RawSql {
  const db = new Database(file, { readonly: true });
  const statements = new Map<string, Database.Statement>();
  return {
    async query(sql, parameters) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement.all(parameters) as Record<string, unknown>[];
    },
    async explain(sql, parameters) {
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(parameters) as { detail: string }[]).map(
        (row) => row.detail,
      );
    },
    async close() {
      db.close();
    },
  };
}

async function postgresRaw(url: string): Promise<RawSql> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    // Unnamed statements, planned per execution with the actual values, as the server's are.
    async query(sql, parameters) {
      return (await client.query<Record<string, unknown>>(sql, [...parameters])).rows;
    },
    async explain(sql, parameters) {
      const result = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`,
        [...parameters],
      );
      return result.rows.map((row) => row['QUERY PLAN']);
    },
    async close() {
      await client.end();
    },
  };
}

interface SearchResponse {
  total: number;
  results: { id: string; properties: Record<string, unknown>; redacted: string[] }[];
}

interface CapturedQuery {
  sql: string;
  parameters: unknown[];
}

// ---------------------------------------------------------------------------------------------
// (b) can() checks on a 50-rule ability

/** Deterministic pseudo-random numbers (mulberry32). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const uuid = (n: number) => `0193a6c4-7f1e-7c3a-9d1e-${n.toString(16).padStart(12, '0')}`;

/**
 * 50 rules, as `buildAccess` compiles them for a user holding three roles (placeholders already
 * resolved): a sales rep role (team / own levels, narrowed by its restrict rules and the
 * account-wide ones), a regional manager role (business unit levels), a support role (conditions
 * only), deny rules, and field restrictions.
 */
function fiftyRules(): { rules: AccessRule[]; mix: Record<string, number> } {
  const me = uuid(1);
  const team = [me, uuid(2), uuid(3), uuid(4), uuid(5), uuid(6)];
  const unit = [uuid(101)];
  const unitTree = [uuid(101), uuid(102), uuid(103)];
  const level = {
    own: { ownerId: me },
    team: { ownerId: { $in: team } },
    business_unit: { businessUnitId: { $in: unit } },
    business_unit_tree: { businessUnitId: { $in: unitTree } },
  };
  // The sales rep role's restrict rules and the account-wide restrict rules, by object type.
  const roleRestrict: Record<string, object> = {
    contacts: { country: { $in: ROLE_COUNTRIES } },
    companies: { country: { $in: ROLE_COUNTRIES } },
    deals: { pipeline: 'default' },
  };
  const accountWide: Record<string, object[]> = {
    contacts: [{ lifecyclestage: { $ne: 'other' } }],
    companies: [],
    deals: [{ amount: { $lt: 5_000_000, $exists: true } }],
  };
  const types = ['contacts', 'companies', 'deals'];
  const rules: AccessRule[] = [];
  const mix: Record<string, number> = {};
  const add = (kind: string, rule: AccessRule) => {
    rules.push(rule);
    mix[kind] = (mix[kind] ?? 0) + 1;
  };
  const sales: [RecordAction, keyof typeof level][] = [
    ['read', 'team'],
    ['update', 'own'],
    ['create', 'own'],
    ['delete', 'own'],
    ['assign', 'own'],
    ['share', 'team'],
    ['export', 'team'],
  ];
  for (const type of types) {
    for (const [action, at] of sales) {
      add('salesRole', {
        action,
        subject: type,
        reason: `role:sales:${at}`,
        conditions: { $and: [level[at], { $or: [roleRestrict[type]] }, ...accountWide[type]] },
      });
    }
  }
  const manager: [RecordAction, keyof typeof level][] = [
    ['read', 'business_unit'],
    ['update', 'business_unit'],
    ['export', 'business_unit_tree'],
  ];
  for (const type of types) {
    for (const [action, at] of manager) {
      add('managerRole', {
        action,
        subject: type,
        reason: `role:manager:${at}`,
        conditions:
          accountWide[type].length > 0 ? { $and: [level[at], ...accountWide[type]] } : level[at],
      });
    }
    add('managerRole', { action: 'import', subject: type, reason: 'role:manager:account' });
  }
  const customers = { lifecyclestage: { $in: ['customer', 'evangelist'] } };
  add('supportRole', { action: 'read', subject: 'contacts', conditions: customers });
  add('supportRole', { action: 'update', subject: 'contacts', conditions: customers });
  add('supportRole', { action: 'read', subject: 'companies' });
  add('supportRole', {
    action: 'read',
    subject: 'deals',
    conditions: { dealstage: { $in: ['closedwon', 'contractsent'] } },
  });
  const deny = (action: RecordAction, type: string, conditions: object) =>
    add('deny', { action, subject: type, inverted: true, reason: 'deny', conditions });
  deny('delete', 'contacts', { lifecyclestage: 'customer' });
  deny('export', 'contacts', { country: { $in: ['US', 'CA'] } });
  deny('share', 'contacts', { $or: [{ lifecyclestage: 'customer' }, { country: 'CH' }] });
  deny('delete', 'deals', { dealstage: 'closedwon' });
  deny('update', 'deals', { dealstage: { $in: ['closedwon', 'closedlost'] } });
  deny('delete', 'companies', { numberofemployees: { $gte: 1000, $exists: true } });
  const hide = (action: RecordAction | RecordAction[], type: string, fields: string[]) =>
    add('fieldRestriction', { action, subject: type, fields, inverted: true });
  hide('read', 'contacts', HIDDEN_FROM_REP);
  hide(['create', 'update'], 'contacts', [...HIDDEN_FROM_REP, 'lifecyclestage']);
  hide('read', 'companies', ['annualrevenue']);
  hide(['create', 'update'], 'companies', ['annualrevenue', 'numberofemployees']);
  hide('read', 'deals', ['amount']);
  hide(['create', 'update'], 'deals', ['amount', 'probability']);
  hide('export', 'deals', ['amount']);
  return { rules, mix };
}

export function benchCanChecks(): CanChecksResult {
  const { rules, mix } = fiftyRules();
  const ability = createAccessAbility(rules);
  const random = generator(RANDOM_SEED);
  const pick = <T>(values: readonly T[]): T => values[(random() * values.length) | 0];
  const owners = Array.from({ length: 20 }, (_, i) => uuid(i + 1));
  const units = [uuid(101), uuid(102), uuid(103), uuid(104)];
  const countries = ['DE', 'US', 'GB', 'FR', 'NL', 'CH', 'AT', 'CA', 'ES', 'IT'];
  const stages = ['subscriber', 'lead', 'lead', 'opportunity', 'customer', 'evangelist', 'other'];
  const common = () => ({
    ownerId: pick(owners),
    businessUnitId: pick(units),
    country: pick(countries),
  });
  const subjects = Array.from({ length: 3000 }, (_, i) => {
    const kind = i % 5;
    if (kind < 3) {
      return tagSubject('contacts', {
        ...common(),
        lifecyclestage: pick(stages),
        email: `c${i}@example.com`,
        lastname: 'Example',
        ...(random() < 0.7 ? { phone: '+49 30 1234567' } : {}),
      });
    }
    if (kind === 3) {
      return tagSubject('companies', {
        ...common(),
        name: `Company ${i}`,
        ...(random() < 0.9 ? { numberofemployees: Math.floor(random() * 3000) } : {}),
      });
    }
    return tagSubject('deals', {
      ...common(),
      amount: Math.floor(random() * 200_000),
      dealstage: pick(['appointmentscheduled', 'contractsent', 'closedwon', 'closedlost']),
      pipeline: random() < 0.85 ? 'default' : 'partners',
    });
  });
  const actions: RecordAction[] = [
    ...Array<RecordAction>(10).fill('read'),
    ...Array<RecordAction>(4).fill('update'),
    'create',
    'delete',
    'delete',
    'export',
    'share',
    'assign',
  ];
  const fields: Record<string, string[]> = {
    contacts: ['email', 'phone', 'birthdate', 'lifecyclestage'],
    companies: ['name', 'annualrevenue'],
    deals: ['amount', 'dealstage'],
  };
  const CHECKS = 4096;
  const checks = Array.from({ length: CHECKS }, () => {
    const target = pick(subjects);
    const type = (target as { __caslSubjectType__?: string }).__caslSubjectType__ ?? 'contacts';
    return {
      action: pick(actions),
      subject: target,
      field: random() < 0.2 ? pick(fields[type]) : undefined,
    };
  });
  // A contact of someone outside team and unit, in no role's countries, not a customer.
  const nobodys = tagSubject('contacts', {
    ownerId: uuid(999),
    businessUnitId: uuid(999),
    country: 'JP',
    lifecyclestage: 'lead',
  });
  const mixed = (n: number): number => {
    let allowed = 0;
    for (let i = 0; i < n; i++) {
      const check = checks[i & (CHECKS - 1)];
      if (ability.can(check.action, check.subject, check.field)) {
        allowed++;
      }
    }
    return allowed;
  };
  const worst = (n: number): number => {
    let allowed = 0;
    for (let i = 0; i < n; i++) {
      if (ability.can('read', nobodys)) {
        allowed++;
      }
    }
    return allowed;
  };
  const perSecond = (run: (n: number) => number): { median: number; best: number } => {
    run(200_000); // warm-up: CASL compiles each rule's conditions on first use
    const rates: number[] = [];
    for (let r = 0; r < 5; r++) {
      let n = 0;
      const start = now();
      while (now() - start < 500) {
        run(100_000);
        n += 100_000;
      }
      rates.push(n / ((now() - start) / 1000));
    }
    return { median: Math.round(sortedStats(rates).median), best: Math.round(Math.max(...rates)) };
  };
  if (worst(1) !== 0) {
    throw new Error('the worst-case subject should be denied');
  }
  const rate = perSecond(mixed);
  return {
    rules: ability.rules.length,
    ruleMix: mix,
    subjects: subjects.length,
    allowedShare: round(mixed(CHECKS) / CHECKS, 3),
    checksPerSecond: rate.median,
    bestRunChecksPerSecond: rate.best,
    worstCaseChecksPerSecond: perSecond(worst).median,
    withinTarget: rate.median >= 1_000_000,
  };
}

// ---------------------------------------------------------------------------------------------
// Per database

/** What one server (one database, one size) gives; the extended run also (c) and (d). */
interface ServerRun {
  seed: SeedResult;
  setup: AccessDatabaseResult['setup'];
  search: SearchPhase;
  queries: AccessDatabaseResult['queries'];
  plannerStatistics: string[];
  abilityBuild?: AccessDatabaseResult['abilityBuild'];
  roleChange?: AccessDatabaseResult['roleChange'];
}

export async function benchAccess(
  kind: DatabaseKind,
  options: AccessBenchOptions,
): Promise<AccessDatabaseResult> {
  const smallSize = Math.round(options.contacts / 5);
  const measureSmall = smallSize >= 1 && smallSize < options.contacts;
  if (measureSmall) {
    process.stderr.write(`access on ${kind}: seeding ${smallSize} contacts…\n`);
  }
  const small = measureSmall ? await onServer(kind, smallSize, options, false) : undefined;
  process.stderr.write(`access on ${kind}: seeding ${options.contacts} contacts…\n`);
  const large = await onServer(kind, options.contacts, options, true);
  const first = (small ?? large).search;
  const last = large.search;
  return {
    database: kind,
    seed: [...(small ? [small.seed] : []), large.seed],
    setup: {
      ...large.setup,
      teamShare: [...(small?.setup.teamShare ?? []), ...large.setup.teamShare],
    },
    search: [...(small ? [small.search] : []), large.search],
    memoryGrowth: {
      contacts: [first.contacts, last.contacts],
      heapUsedMb: round(last.memory.after.heapUsedMb - first.memory.after.heapUsedMb, 1),
      rssMb: round(last.memory.after.rssMb - first.memory.after.rssMb, 1),
    },
    queries: large.queries,
    plannerStatistics: large.plannerStatistics,
    abilityBuild: large.abilityBuild!,
    roleChange: large.roleChange!,
  };
}

/** Boots a server on a fresh database, seeds `contacts`, sets up the rep and measures. */
async function onServer(
  kind: DatabaseKind,
  contacts: number,
  options: AccessBenchOptions,
  extended: boolean,
): Promise<ServerRun> {
  const server = await startBenchServer(kind);
  const { app, database } = server;
  const http = new Http(server.port);
  let raw: RawSql | undefined;
  try {
    const dataSource = app.get(DataSource);
    const p = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
    const list = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => p(from + i)).join(', ');
    const sql = async <T>(text: string, parameters: unknown[]) =>
      dataSource.query<T[]>(text, parameters);

    // The same random seed as bench/crm-search: the same data at 100,000 contacts.
    const seed = await seedDemoData(app, { contacts, randomSeed: RANDOM_SEED });
    const accountId = seed.accountId;

    // --- Set-up through the API, as an administrator would.
    const login = async (email: string, password: string) =>
      (
        await http.expect<{ accessToken: string }>(200, 'POST', '/api/v1/auth/login', {
          email,
          password,
        })
      ).accessToken;
    const signInClient = new HttpClient(server.port);
    const adminToken = await signIn(signInClient).finally(() => signInClient.close());
    const admin = <T>(status: number, method: string, path: string, body?: unknown) =>
      http.expect<T>(status, method, path, body, adminToken);

    const teams = await sql<{ id: string; name: string }>(
      `SELECT id, name FROM identity_team WHERE account_id = ${p(1)} ORDER BY name`,
      [accountId],
    );
    const membersOf = async (teamId: string) =>
      (
        await sql<{ user_id: string }>(
          `SELECT user_id FROM identity_team_member WHERE team_id = ${p(1)}`,
          [teamId],
        )
      ).map((row) => row.user_id);
    const shareOf = async (userIds: string[]) => {
      // Placeholders in the order they appear (SQLite's `?` are positional).
      const [row] = await sql<{ owned: string | number; total: string | number }>(
        `SELECT SUM(CASE WHEN owner_id IN (${list(1, userIds.length)}) THEN 1 ELSE 0 END) AS owned, COUNT(*) AS total FROM crm_contact WHERE account_id = ${p(userIds.length + 1)}`,
        [...userIds, accountId],
      );
      return round(Number(row.owned) / Number(row.total), 4);
    };
    let team = teams[0];
    let bestDistance = Infinity;
    for (const candidate of teams) {
      const distance = Math.abs((await shareOf(await membersOf(candidate.id))) - TARGET_TEAM_SHARE);
      if (distance < bestDistance) {
        bestDistance = distance;
        team = candidate;
      }
    }
    const otherTeam = teams.find((t) => t.id !== team.id)!;
    const rep = await admin<{ id: string }>(201, 'POST', '/api/v1/users', {
      email: REP_EMAIL,
      displayName: 'Bench team rep',
      password: REP_PASSWORD,
      teamIds: [team.id],
    });
    const repToken = await login(REP_EMAIL, REP_PASSWORD);
    const teamMembers = await membersOf(team.id);

    const privileges = [
      { objectType: 'contacts', action: 'read', level: 'team' },
      { objectType: 'contacts', action: 'update', level: 'own' },
      { objectType: 'companies', action: 'read', level: 'team' },
      { objectType: 'companies', action: 'update', level: 'own' },
      { objectType: 'deals', action: 'read', level: 'team' },
      { objectType: 'deals', action: 'update', level: 'own' },
    ];
    const role = await admin<{ id: string; name: string }>(201, 'POST', '/api/v1/roles', {
      name: 'Bench: team sales rep',
      description: "Reads the team's records, edits their own",
      privileges,
      taskPrivileges: [],
    });
    await admin(201, 'POST', `/api/v1/roles/${role.id}/assignments`, {
      principalType: 'user',
      principalId: rep.id,
    });
    const roleRule = {
      name: 'Bench: European contacts only',
      objectType: 'contacts',
      actions: ['read', 'update'],
      effect: 'restrict',
      roleId: role.id,
      condition: { country: { $in: ROLE_COUNTRIES } },
    };
    const accountRule = {
      name: "Bench: no 'other' contacts",
      objectType: 'contacts',
      actions: ['read', 'update', 'delete', 'export'],
      effect: 'restrict',
      condition: { lifecyclestage: { $ne: 'other' } },
    };
    await admin(201, 'POST', '/api/v1/record-rules', roleRule);
    await admin(201, 'POST', '/api/v1/record-rules', accountRule);
    const restrictions: [string, { type: string; id?: string }[]][] = [
      ['phone', [{ type: 'super_admins' }]],
      ['birthdate', [{ type: 'super_admins' }]],
      ['jobtitle', [{ type: 'team', id: otherTeam.id }]],
    ];
    for (const [property, view] of restrictions) {
      await admin(200, 'PUT', `/api/v1/properties/contacts/${property}/permissions`, {
        view,
        edit: [],
      });
    }

    // --- (a) The search, super admin vs rep.
    const body = {
      filterGroups: [
        { filters: [{ propertyName: 'country', operator: 'eq', value: SEARCH_COUNTRY }] },
      ],
      sorts: [{ propertyName: 'lastname', direction: 'ASCENDING' }],
      limit: 50,
    };
    const search = async (token: string): Promise<SearchResponse> =>
      http.expect<SearchResponse>(200, 'POST', '/api/v1/objects/contacts/search', body, token);
    const logger = dataSource.logger;
    /** The search's SQL, from TypeORM's log; no count when the first page held every match. */
    const capture = async (
      token: string,
    ): Promise<{ page: CapturedQuery; count?: CapturedQuery }> => {
      const captured: CapturedQuery[] = [];
      const logQuery = logger.logQuery.bind(logger);
      logger.logQuery = (text, parameters, queryRunner): void => {
        captured.push({ sql: text, parameters: Array.isArray(parameters) ? parameters : [] });
        logQuery(text, parameters, queryRunner);
      };
      try {
        await search(token);
      } finally {
        logger.logQuery = logQuery;
      }
      const page = captured.find((q) => /ORDER BY/i.test(q.sql) && /crm_contact/.test(q.sql));
      const count = captured.find((q) => /COUNT\(\*\)/i.test(q.sql) && /crm_contact/.test(q.sql));
      if (!page) {
        throw new Error(`could not find the search SQL among ${captured.length} queries`);
      }
      return { page, count };
    };
    raw =
      kind === 'sqlite'
        ? sqliteRaw(database.url.slice('sqlite:'.length))
        : await postgresRaw(database.url);
    const db = raw;

    // Hand-written SQL of rep's rules (team level, role restrict, account-wide restrict).
    const repWhere = (members: string[]) => ({
      sql:
        `account_id = ${p(1)} AND archived_at IS NULL AND country = ${p(2)}` +
        ` AND owner_id IN (${list(3, members.length)})` +
        ` AND country IN (${list(3 + members.length, ROLE_COUNTRIES.length)})` +
        ` AND (lifecyclestage IS NULL OR lifecyclestage <> ${p(3 + members.length + ROLE_COUNTRIES.length)})`,
      parameters: [accountId, SEARCH_COUNTRY, ...members, ...ROLE_COUNTRIES, 'other'],
    });

    const teamShare = await shareOf(teamMembers);
    let queries: AccessDatabaseResult['queries'] | undefined;
    const measureSearch = async (): Promise<SearchPhase> => {
      const generated = { superAdmin: await capture(adminToken), rep: await capture(repToken) };
      const where = repWhere(teamMembers);
      const [expectedCount] = await db.query(
        `SELECT COUNT(*) AS total FROM crm_contact WHERE ${where.sql}`,
        where.parameters,
      );
      const expectedPage = await db.query(
        `SELECT id FROM crm_contact WHERE ${where.sql} ORDER BY lastname ASC NULLS LAST, id ASC LIMIT 50`,
        where.parameters,
      );
      const [allCount] = await db.query(
        `SELECT COUNT(*) AS total FROM crm_contact WHERE account_id = ${p(1)} AND archived_at IS NULL AND country = ${p(2)}`,
        [accountId, SEARCH_COUNTRY],
      );
      const adminView = await search(adminToken);
      const repView = await search(repToken);
      const shownToAdmin = HIDDEN_FROM_REP.filter((name) =>
        adminView.results.some((r) => name in r.properties),
      );
      const correct =
        adminView.total === Number(allCount.total) &&
        repView.total === Number(expectedCount.total) &&
        repView.total < adminView.total &&
        JSON.stringify(repView.results.map((r) => r.id)) ===
          JSON.stringify(expectedPage.map((r) => r.id)) &&
        shownToAdmin.length === HIDDEN_FROM_REP.length &&
        repView.results.every((r) =>
          HIDDEN_FROM_REP.every((name) => !(name in r.properties) && r.redacted.includes(name)),
        );
      if (!correct) {
        process.stderr.write(
          `access bench: rep's search does not match the expected rules (total ${repView.total}, expected ${String(expectedCount.total)})\n`,
        );
      }
      const pageThenCount = (q: { page: CapturedQuery; count?: CapturedQuery }) => async () => {
        await db.query(q.page.sql, q.page.parameters);
        if (q.count) {
          await db.query(q.count.sql, q.count.parameters);
        }
      };
      const runs: Record<string, () => Promise<unknown>> = {
        apiSuperAdmin: () => search(adminToken),
        apiRep: () => search(repToken),
        sqlSuperAdmin: pageThenCount(generated.superAdmin),
        sqlRep: pageThenCount(generated.rep),
      };
      const samples = new Map<string, number[]>(Object.keys(runs).map((name) => [name, []]));
      for (let i = 0; i < options.warmup; i++) {
        for (const run of Object.values(runs)) {
          await run();
        }
      }
      const before = memory();
      for (let i = 0; i < options.iterations; i++) {
        for (const [name, run] of Object.entries(runs)) {
          samples.get(name)!.push(await timed(run));
        }
      }
      const after = memory();
      const t = (name: string) => timing(samples.get(name)!);
      const api = { superAdmin: t('apiSuperAdmin'), rep: t('apiRep') };
      const sqlTimes = { superAdmin: t('sqlSuperAdmin'), rep: t('sqlRep') };
      const apiMedian = round(api.rep.medianMs / api.superAdmin.medianMs, 2);
      const explained = async (q: CapturedQuery | undefined) =>
        q
          ? { sql: q.sql, plan: await db.explain(q.sql, q.parameters) }
          : { sql: '(none: the first page held every match)', plan: [] };
      queries = {
        superAdmin: {
          page: await explained(generated.superAdmin.page),
          count: await explained(generated.superAdmin.count),
        },
        rep: {
          page: await explained(generated.rep.page),
          count: await explained(generated.rep.count),
        },
      };
      return {
        contacts,
        totals: { superAdmin: adminView.total, rep: repView.total },
        correct,
        iterations: options.iterations,
        api,
        sql: sqlTimes,
        ratios: {
          apiMedian,
          apiP95: round(api.rep.p95Ms / api.superAdmin.p95Ms, 2),
          withinTarget: apiMedian <= 1.2,
          sqlMedian: round(sqlTimes.rep.medianMs / sqlTimes.superAdmin.medianMs, 2),
        },
        gapMs: {
          api: round(api.rep.medianMs - api.superAdmin.medianMs),
          sql: round(sqlTimes.rep.medianMs - sqlTimes.superAdmin.medianMs),
        },
        memory: {
          before,
          after,
          heapUsedDeltaMb: round(after.heapUsedMb - before.heapUsedMb, 1),
          rssDeltaMb: round(after.rssMb - before.rssMb, 1),
          requests: options.iterations * 2,
        },
      };
    };

    const searchPhase = await measureSearch();
    const plannerStatistics =
      kind === 'sqlite'
        ? (
            await sql<{ idx: string; stat: string }>(
              `SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'crm_contact' ORDER BY idx`,
              [],
            )
          ).map((row) => `sqlite_stat1 ${row.idx}: ${row.stat}`)
        : (
            await sql<{ attname: string; n_distinct: number }>(
              `SELECT attname, n_distinct FROM pg_stats WHERE tablename = 'crm_contact' AND attname IN ('account_id', 'owner_id', 'business_unit_id', 'country', 'lifecyclestage', 'lastname') ORDER BY attname`,
              [],
            )
          ).map((row) => `pg_stats n_distinct ${row.attname}: ${row.n_distinct}`);
    const setup: AccessDatabaseResult['setup'] = {
      team: team.name,
      teamMembers: teamMembers.length,
      teamShare: [teamShare],
      role: `${role.name}: ${privileges.map((v) => `${v.objectType} ${v.action} at ${v.level}`).join(', ')}`,
      recordRules: [
        `restrict on the role: contacts ${JSON.stringify(roleRule.condition)} (read, update)`,
        `restrict account-wide: contacts ${JSON.stringify(accountRule.condition)} (read, update, delete, export)`,
      ],
      fieldRestrictions: restrictions.map(
        ([property, view]) =>
          `contacts.${property} viewable by ${view.map((v) => (v.type === 'team' ? 'another team' : v.type)).join(', ')}`,
      ),
      repAbilityRules: 0,
    };
    const base = { seed, setup, search: searchPhase, queries: queries!, plannerStatistics };
    if (!extended) {
      return base;
    }

    // --- (c) Ability build time.
    const accessService = app.get(AccessService);
    const actor: Actor = {
      kind: 'user',
      id: rep.id,
      accountId,
      userId: rep.id,
      label: REP_EMAIL,
      superAdmin: false,
    };
    const freshService = () => {
      const service = new AccessService(
        app.get(TransactionHost),
        app.get(RequestContext),
        app.get(ModuleRef),
        app.get<AccessModuleOptions>(ACCESS_MODULE_OPTIONS),
      );
      service.onModuleInit();
      return service;
    };
    const directory = app.get<AccessDirectory>(ACCESS_DIRECTORY);
    const member = (await directory.member(accountId, rep.id))!;
    const inputs = {
      superAdmin: false,
      facts: member.facts,
      roles: await accessService.rolesOf(accountId, member),
      rules: await dataSource.manager.findBy(RecordRule, { accountId }),
      fieldPermissions: await dataSource.manager.findBy(FieldPermission, { accountId }),
    };
    setup.repAbilityRules = buildAccess(inputs).ability.rules.length;
    const buildIterations = Math.max(20, options.iterations);
    const buildSamples = {
      cold: [] as number[],
      build: [] as number[],
      compile: [] as number[],
      cached: [] as number[],
    };
    await accessService.accessFor(actor);
    for (let i = 0; i < options.warmup + buildIterations; i++) {
      const service = freshService();
      const cold = await timed(() => service.accessFor(actor));
      const build = await timed(() => accessService.build(actor));
      const cached = await timed(() => accessService.accessFor(actor));
      const start = now();
      for (let k = 0; k < 10; k++) {
        buildAccess(inputs);
      }
      const compile = (now() - start) / 10;
      if (i >= options.warmup) {
        buildSamples.cold.push(cold);
        buildSamples.build.push(build);
        buildSamples.cached.push(cached);
        buildSamples.compile.push(compile);
      }
    }

    // --- (d) From a role change to the next request seeing it.
    const withoutRead = privileges.filter(
      (v) => !(v.objectType === 'contacts' && v.action === 'read'),
    );
    const repTotal = searchPhase.totals.rep;
    let stale = 0;
    const changeSamples = {
      remove: { patch: [] as number[], next: [] as number[], both: [] as number[] },
      add: { patch: [] as number[], next: [] as number[], both: [] as number[] },
    };
    const secondAfterAdd: number[] = [];
    for (let i = 0; i < ROLE_CHANGES; i++) {
      const remove = i % 2 === 0;
      const start = now();
      await admin(200, 'PATCH', `/api/v1/roles/${role.id}`, {
        privileges: remove ? withoutRead : privileges,
      });
      const patched = now();
      const response = await http.send<SearchResponse>(
        'POST',
        '/api/v1/objects/contacts/search',
        body,
        repToken,
      );
      const done = now();
      const sees = remove
        ? response.status === 403 || (response.status === 200 && response.body.total === 0)
        : response.status === 200 && response.body.total === repTotal;
      if (!sees) {
        stale++;
      }
      const into = remove ? changeSamples.remove : changeSamples.add;
      into.patch.push(patched - start);
      into.next.push(done - patched);
      into.both.push(done - start);
      if (!remove) {
        secondAfterAdd.push(await timed(() => search(repToken)));
      }
    }

    return {
      ...base,
      abilityBuild: {
        iterations: buildIterations,
        coldAccessFor: micros(buildSamples.cold),
        build: micros(buildSamples.build),
        compileOnly: micros(buildSamples.compile),
        cachedAccessFor: micros(buildSamples.cached),
      },
      roleChange: {
        changes: ROLE_CHANGES,
        staleRequests: stale,
        remove: {
          patch: timing(changeSamples.remove.patch),
          nextRequest: timing(changeSamples.remove.next),
          patchPlusNextRequest: timing(changeSamples.remove.both),
        },
        add: {
          patch: timing(changeSamples.add.patch),
          nextRequest: timing(changeSamples.add.next),
          patchPlusNextRequest: timing(changeSamples.add.both),
          secondRequest: timing(secondAfterAdd),
        },
      },
    };
  } finally {
    http.close();
    await raw?.close();
    await server.close();
  }
}
