/**
 * bench/privacy-lookup: the subject lookup of `@custos/privacy` by email at scale, PostgreSQL only.
 * The server is booted on a scratch database seeded in SQL (`generate_series`, then `ANALYZE`) with
 * `--lookup-contacts` contacts (default 1,000,000), one property-history entry and one unique-value
 * row per contact, consent events and states for half of them, audit events naming a fifth, and
 * 10,000 export-log rows. Rows are generated from each table's entity metadata: registered
 * columns get the contact's values, other columns fillers.
 *
 * - `api`: `POST /api/v1/privacy-lookup { email }` as the super admin, p50/p95 over random
 *   contacts' emails (the issue asks p95 ≤ 20 ms).
 * - `generatedSql`: the statement the lookup generates, run directly (prepared, as the API runs it).
 * - `handWritten` (baseline, same run): the same probes as one hand-written SQL statement.
 * - `explain`: `EXPLAIN (ANALYZE, FORMAT JSON)` of that statement as planned, with its scans
 *   per table, and the tables that still need a sequential scan with `enable_seqscan = off`
 *   (none: every probe has an index).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import { DataSource, type EntityMetadata } from 'typeorm';
import { RequestContext, TransactionHost, systemActor } from '@custos/core';
import { createTestDatabase } from '@custos/core/testing';
import {
  PERSONAL_DATA_REGISTRY,
  SubjectLookup,
  type PersonalDataRegistry,
  type PersonalDataSource,
} from '@custos/privacy';
import { HttpClient, bootBenchApp, signIn } from './crm-search';

export interface PrivacyLookupOptions {
  contacts: number;
  iterations: number;
}

interface Percentiles {
  p50Ms: number;
  p95Ms: number;
}

interface PlanScan {
  table: string;
  node: string;
  index?: string;
}

export interface PrivacyLookupResult {
  contacts: number;
  rows: Record<string, number>;
  seedSeconds: number;
  iterations: number;
  itemsPerLookup: number;
  api: Percentiles;
  generatedSql: Percentiles;
  handWritten: Percentiles;
  /** API p95 over the hand-written statement's p95. */
  ratio: number;
  explain: {
    /** `EXPLAIN ANALYZE`'s planning and execution times of the generated and hand-written SQL. */
    generated: { planningMs: number; executionMs: number };
    handWritten: { planningMs: number; executionMs: number };
    scans: PlanScan[];
    /** Per registered table the plan reads: whether every read of it went through an index. */
    indexServed: Record<string, boolean>;
    /** Registered tables the page statement reads without an index even with seq scans off. */
    tablesWithoutIndex: string[];
    plan: string;
  };
  loadAverage: { before: number; after: number };
}

const round = (n: number) => Math.round(n * 100) / 100;

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50Ms: round(at(0.5)), p95Ms: round(at(0.95)) };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** A UUID-shaped id for row `g` of a table (`prefix`: one hex digit per table). */
const idOf = (prefix: string, g: string) =>
  `'${prefix}0000000-0000-4000-8000-' || lpad(to_hex(${g}), 12, '0')`;
const CONTACT = 'c';
const emailOf = (g: string) => `'person.' || ${g} || '@bench.example'`;

/** How rows of a table are generated: per column name, an SQL expression of `g`. */
interface TableSeed {
  table: string;
  prefix: string;
  rows: number;
  columns: Record<string, string>;
}

/**
 * `INSERT … SELECT … FROM generate_series`: the named columns as given, other NOT NULL columns
 * filled by type, nullable ones left out.
 */
function seedSql(meta: EntityMetadata, seed: TableSeed): string {
  const names: string[] = [];
  const expressions: string[] = [];
  for (const column of meta.columns) {
    const name = column.databaseName;
    let expression = seed.columns[name];
    if (expression === undefined) {
      if (column.isNullable && !column.isPrimary) {
        continue;
      }
      const type = String(column.type);
      expression =
        name === 'id'
          ? idOf(seed.prefix, 'g')
          : type === 'boolean'
            ? 'false'
            : type === 'integer' || type === 'int' || type === 'bigint'
              ? 'g'
              : type === 'double precision'
                ? 'g::float8'
                : `left(md5(g::text), ${Math.min(8, Number(column.length) || 8)})`;
    }
    names.push(`"${name}"`);
    expressions.push(expression);
  }
  return `INSERT INTO "${seed.table}" (${names.join(', ')}) SELECT ${expressions.join(', ')} FROM generate_series(1, ${seed.rows}) g`;
}

export async function benchPrivacyLookup(
  options: PrivacyLookupOptions,
): Promise<PrivacyLookupResult> {
  const before = loadavg()[0];
  const database = await createTestDatabase('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-privacy-'));
  const app = await bootBenchApp({
    databaseUrl: database.url,
    dataDir,
    masterKey: randomBytes(32).toString('base64'),
  });
  try {
    await app.listen(0, '127.0.0.1');
    const http = new HttpClient(((app.getHttpServer() as Server).address() as AddressInfo).port);
    const token = await signIn(http);
    const dataSource = app.get(DataSource);
    const [{ id: accountId }] = await dataSource.query<{ id: string }[]>(
      `SELECT account_id AS id FROM identity_membership LIMIT 1`,
    );
    const n = options.contacts;
    const account = `'${accountId}'`;
    const now = `'${new Date().toISOString()}'`;
    const contactOf = (expression: string) => idOf(CONTACT, expression);
    const seeds: TableSeed[] = [
      {
        table: 'crm_contact',
        prefix: CONTACT,
        rows: n,
        columns: {
          account_id: account,
          email: emailOf('g'),
          firstname: `'Person'`,
          lastname: `'Number ' || g`,
          phone: `'+1555' || lpad(g::text, 7, '0')`,
          custom: `'{}'`,
          created_at: now,
          updated_at: now,
        },
      },
      {
        table: 'crm_property_history',
        prefix: '1',
        rows: n,
        columns: {
          account_id: account,
          object_type: `'contacts'`,
          record_id: contactOf('g'),
          property_name: `'email'`,
          new_value: `'"' || ${emailOf('g')} || '"'`,
          changed_at: now,
        },
      },
      {
        table: 'crm_unique_value',
        prefix: '2',
        rows: n,
        columns: {
          account_id: account,
          object_type: `'contacts'`,
          property_name: `'email'`,
          value_key: emailOf('g'),
          record_id: contactOf('g'),
        },
      },
      {
        table: 'consent_event',
        prefix: '3',
        rows: Math.floor(n / 2),
        columns: {
          account_id: account,
          contact_id: contactOf('g * 2'),
          address: emailOf('g * 2'),
          channel: `'email'`,
          status: `'granted'`,
          effective_from: now,
          occurred_at: now,
        },
      },
      {
        table: 'consent_state',
        prefix: '4',
        rows: Math.floor(n / 2),
        columns: {
          account_id: account,
          contact_id: contactOf('g * 2'),
          purpose_id: `'purpose'`,
          channel: `'email'`,
          address: emailOf('g * 2'),
          status: `'granted'`,
          event_id: idOf('3', 'g'),
          effective_from: now,
        },
      },
      {
        table: 'audit_event',
        prefix: '5',
        rows: Math.floor(n / 5),
        columns: {
          account_id: account,
          // Past any event the server wrote itself.
          seq: 'g + 1000000000',
          target_type: `'contacts'`,
          target_id: contactOf('g * 5'),
          actor_label: `'Staff ' || (g % 50)`,
          metadata: `'{}'`,
          occurred_at: now,
        },
      },
      {
        table: 'custos_export',
        prefix: '6',
        rows: 10_000,
        columns: {
          account_id: account,
          requester_label: `'Staff ' || (g % 50)`,
          created_at: now,
          updated_at: now,
        },
      },
    ];
    const registeredSources = await app
      .get<PersonalDataRegistry>(PERSONAL_DATA_REGISTRY)
      .sourcesOf(accountId);
    // Every other registered table the lookup probes gets rows too: an empty table is planned as
    // a sequential scan, which tells nothing of its index.
    seeds.push(...otherSeeds(registeredSources, seeds, account, now, Math.max(20_000, n / 20)));
    // Exports carry whole lists: as many carried records as contacts.
    seeds.find((seed) => seed.table === 'custos_export_record')!.rows = n;
    process.stderr.write(`privacy-lookup: seeding ${n} contacts and their logs…\n`);
    const seedStarted = process.hrtime.bigint();
    const rows: Record<string, number> = {};
    for (const seed of seeds) {
      const meta = dataSource.entityMetadatas.find((m) => m.tableName === seed.table)!;
      await dataSource.query(seedSql(meta, seed));
      rows[seed.table] = seed.rows;
    }
    await dataSource.query('ANALYZE');
    const seedSeconds = Number(process.hrtime.bigint() - seedStarted) / 1e9;

    const emails = Array.from(
      { length: options.iterations },
      () => `person.${1 + Math.floor(Math.random() * n)}@bench.example`,
    );
    // Warm the server, the pool and the plan caches.
    for (const email of emails.slice(0, 20)) {
      await http.post('/api/v1/privacy-lookup', { email, limit: 100 }, token);
    }
    let items = 0;
    const api: number[] = [];
    for (const email of emails) {
      api.push(
        await timed(async () => {
          const response = await http.post<{ results: unknown[] }>(
            '/api/v1/privacy-lookup',
            { email, limit: 100 },
            token,
          );
          if (response.status !== 200) {
            throw new Error(`lookup failed: ${response.status} ${JSON.stringify(response.body)}`);
          }
          items += response.body.results.length;
        }),
      );
    }
    http.close();

    const lookup = app.get(SubjectLookup);
    const transactions = app.get(TransactionHost);
    const context = app.get(RequestContext);
    const statementOf = (email: string) =>
      context.runAs(systemActor(accountId), () => lookup.statement({ email }, null, 100));
    const generated: number[] = [];
    for (const email of emails) {
      const statement = await statementOf(email);
      generated.push(
        await timed(() =>
          transactions.queryPrepared(statement.name, statement.sql, statement.parameters),
        ),
      );
    }

    const sources = registeredSources;
    const handWrittenSql = handWritten(sources);
    const baseline: number[] = [];
    for (const email of emails) {
      baseline.push(await timed(() => dataSource.query(handWrittenSql, [accountId, email])));
    }

    const sample = await statementOf(emails[0]);
    const explain = async (sql: string, parameters: unknown[]): Promise<unknown> =>
      (
        await dataSource.query<{ 'QUERY PLAN': unknown }[]>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
          parameters,
        )
      )[0]['QUERY PLAN'];
    const planned = await explain(sample.sql, sample.parameters);
    const baselinePlan = await explain(handWrittenSql, [accountId, emails[0]]);
    const forced = await dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      return (
        await manager.query<{ 'QUERY PLAN': unknown }[]>(
          `EXPLAIN (FORMAT JSON) ${sample.sql}`,
          sample.parameters,
        )
      )[0]['QUERY PLAN'];
    });
    const registered = new Set(sources.map((s) => s.table));
    const tablesWithoutIndex = [
      ...new Set(
        scansOf(forced)
          .filter((scan) => scan.node === 'Seq Scan' && registered.has(scan.table))
          .map((scan) => scan.table),
      ),
    ];
    const apiTimes = percentiles(api);
    const baselineTimes = percentiles(baseline);
    return {
      contacts: n,
      rows,
      seedSeconds: round(seedSeconds),
      iterations: options.iterations,
      itemsPerLookup: round(items / emails.length),
      api: apiTimes,
      generatedSql: percentiles(generated),
      handWritten: baselineTimes,
      ratio: round(apiTimes.p95Ms / baselineTimes.p95Ms),
      explain: {
        generated: timesOf(planned),
        handWritten: timesOf(baselinePlan),
        scans: scansOf(planned),
        indexServed: indexServed(scansOf(planned), registered),
        tablesWithoutIndex,
        plan: planText(planned),
      },
      loadAverage: { before: round(before), after: round(loadavg()[0]) },
    };
  } finally {
    await app.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The id prefix of seeded users (the other tables' rows take `8`). */
const OTHER_PREFIX = '7';

/**
 * Seeds of the registered tables not seeded above, from their declarations: registered fields
 * get values of their category that no looked-up subject holds, a contact subject column the
 * seeded contacts' ids, a user subject column the seeded users' ids (`identity_user` first, as
 * memberships name its rows).
 */
function otherSeeds(
  sources: PersonalDataSource[],
  seeded: TableSeed[],
  account: string,
  now: string,
  rows: number,
): TableSeed[] {
  const done = new Set(seeded.map((seed) => seed.table));
  const userOf = (g: string) => idOf(OTHER_PREFIX, g);
  const byTable = new Map<string, TableSeed>();
  for (const source of sources) {
    if (done.has(source.table)) {
      continue;
    }
    const seed = byTable.get(source.table) ?? {
      table: source.table,
      prefix: source.table === 'identity_user' ? OTHER_PREFIX : '8',
      rows,
      columns: {
        account_id: account,
        created_at: now,
        updated_at: now,
      },
    };
    // The subject column first: a field may be the same column (an export record's `record_id`).
    if (source.subjectColumn && source.subjectColumn !== 'id') {
      seed.columns[source.subjectColumn] ??=
        source.subject === 'user' ? userOf('g') : idOf(CONTACT, 'g');
    }
    for (const field of source.fields.filter((f) => !f.jsonKey)) {
      seed.columns[field.column] ??= fillerOf(field);
    }
    byTable.set(source.table, seed);
  }
  return [...byTable.values()].sort(
    (a, b) => Number(b.table === 'identity_user') - Number(a.table === 'identity_user'),
  );
}

/** A value of the field's category held by no subject the benchmark looks up. */
function fillerOf(field: PersonalDataSource['fields'][number]): string {
  if (field.file) {
    return `'bench/file/' || g`;
  }
  if (field.list) {
    return `'[]'`;
  }
  if (field.category.startsWith('user.contact.email')) {
    return `'other.' || g || '@bench.example'`;
  }
  if (field.category.startsWith('user.contact.phone_number')) {
    return `'+1666' || lpad(g::text, 7, '0')`;
  }
  if (field.category.startsWith('user.name')) {
    return `'Other ' || g`;
  }
  return `'{}'`;
}

/**
 * The baseline: the email probes of every registered email column and the probes of every
 * subject column by the ids found, as one statement written by hand (`$1` account, `$2` email).
 */
function handWritten(sources: PersonalDataSource[]): string {
  const email = (s: PersonalDataSource) =>
    s.fields.filter(
      (f) => f.category === 'user.contact.email' && !f.jsonKey && !f.sealed && !f.list,
    );
  const contacts = sources
    .filter((s) => s.subject !== 'user' && s.subjectColumn && email(s).length > 0)
    .flatMap((s) =>
      email(s).map(
        (f) =>
          `SELECT "${s.subjectColumn}" AS id FROM "${s.table}" WHERE account_id = $1 AND "${f.column}" = $2`,
      ),
    );
  const arms = sources.flatMap((s) => [
    ...email(s)
      .filter(() => s.table !== 'identity_user')
      .map(
        (f) =>
          `SELECT '${s.key}' AS source, ${keyOf(s)} AS row_id FROM "${s.table}" WHERE account_id = $1 AND "${f.column}" = $2`,
      ),
    ...(s.subjectColumn && s.subject !== 'user' && s.table !== 'identity_user'
      ? [
          `SELECT '${s.key}' AS source, ${keyOf(s)} AS row_id FROM "${s.table}" WHERE account_id = $1 AND "${s.subjectColumn}" IN (SELECT id FROM contacts)`,
        ]
      : []),
  ]);
  return `WITH contacts AS (${contacts.join(' UNION ALL ')}) SELECT DISTINCT source, row_id FROM (${arms.join(' UNION ALL ')}) h ORDER BY source, row_id LIMIT 101`;
}

/** The row key the lookup reports, for the tables the baseline reads. */
function keyOf(source: PersonalDataSource): string {
  const composite: Record<string, string> = {
    consent_state: `contact_id || '/' || purpose_id || '/' || channel || '/' || address`,
    crm_blind_index: `object_type || '/' || property_name || '/' || record_id`,
    custos_export_record: `record_id || '/' || export_id`,
    identity_scim_user: 'user_id',
  };
  return composite[source.table] ?? 'id';
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Total Time'?: number;
  'Actual Loops'?: number;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function nodesOf(plan: unknown): PlanNode[] {
  const root = (plan as { Plan: PlanNode }[])[0].Plan;
  const all: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    all.push(node);
    node.Plans?.forEach(walk);
  };
  walk(root);
  return all;
}

function timesOf(plan: unknown): { planningMs: number; executionMs: number } {
  const [root] = plan as { 'Planning Time': number; 'Execution Time': number }[];
  return { planningMs: round(root['Planning Time']), executionMs: round(root['Execution Time']) };
}

function scansOf(plan: unknown): PlanScan[] {
  return nodesOf(plan)
    .filter((node) => node['Relation Name'] !== undefined)
    .map((node) => ({
      table: node['Relation Name']!,
      node: node['Node Type'],
      ...(node['Index Name'] ? { index: node['Index Name'] } : {}),
    }));
}

/**
 * Per registered table the plan reads, whether every read of it used an index (an index scan,
 * an index-only scan, or a bitmap heap scan fed by a bitmap index scan).
 */
function indexServed(scans: PlanScan[], registered: Set<string>): Record<string, boolean> {
  const served: Record<string, boolean> = {};
  for (const scan of scans.filter((s) => registered.has(s.table))) {
    const indexed = scan.index !== undefined || scan.node === 'Bitmap Heap Scan';
    served[scan.table] = (served[scan.table] ?? true) && indexed;
  }
  return Object.fromEntries(Object.entries(served).sort(([a], [b]) => a.localeCompare(b)));
}

/** The plan as indented node lines, the way `EXPLAIN` prints it (without costs). */
function planText(plan: unknown): string {
  const lines: string[] = [];
  const walk = (node: PlanNode, depth: number) => {
    const on = node['Relation Name']
      ? ` on ${node['Relation Name']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`
      : '';
    const actual =
      node['Actual Total Time'] === undefined
        ? ''
        : ` (${node['Actual Total Time']} ms × ${node['Actual Loops']}, ${node['Actual Rows']} rows)`;
    lines.push(`${'  '.repeat(depth)}${node['Node Type']}${on}${actual}`);
    node.Plans?.forEach((child) => walk(child, depth + 1));
  };
  walk((plan as { Plan: PlanNode }[])[0].Plan, 0);
  return lines.join('\n');
}
