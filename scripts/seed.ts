/**
 * Demo data: `npm run seed -- --contacts 100000 [--companies N] [--deals N] [--demo-users N]
 * [--random-seed N]`. Fills the first account of the server's database (the "Demo" account made at
 * first start; made here if the database has none) with realistic, varied CRM records.
 *
 * - Configuration is the server's (`DATABASE_URL` or the SQLite file under `CUSTOS_DATA_DIR`);
 *   migrations run first. A running server may stay up (see the SQLite bulk load below).
 * - Companies (unique domains, industries, employees, revenue), contacts (unique emails
 *   `firstname.lastname.N@domain`, phones, job titles, skewed countries and cities, lifecycle
 *   stages, birthdates; most work for a seeded company: same domain, association, company name)
 *   and deals (amount, stage, probability, close date; associated with a company and its
 *   contacts). Defaults: companies = contacts / 20, deals = contacts / 10. `--random-seed` makes
 *   the values reproducible (ids and timestamps still differ).
 * - Owners are spread over the account's active members; the business unit is the owner's. When
 *   the account has only super admins, `--demo-users` (default 20) users are first added through
 *   the regular services (audited, as the system actor): no password, emails
 *   `…@demo.custos.invalid`, names ending in "(demo)", in business units and teams named "Demo …".
 *   `--demo-users 0` skips that and gives every record to the existing members.
 * - Fast, without TypeORM `save()`: rows go in on a separate connection, in transactions of
 *   10,000 records, each with its records' reserved unique values (`crm_unique_value`) and
 *   associations. SQLite: a prepared single-row INSERT per table re-run per row, with
 *   `synchronous = OFF` for that connection only; into an empty database the whole seed is one
 *   transaction that rebuilds the tables' indexes before committing (see `SqliteWriter`), during
 *   which other connections' writes wait. PostgreSQL: `INSERT … SELECT * FROM
 *   unnest($1::varchar[], …)` batches with `synchronous_commit = off` for the seed session.
 * - Seeded records have no property history and no audit events per record: history starts with
 *   the first change after seeding. Custom properties (including score and calculation
 *   properties) are left empty.
 * - The database's planner statistics are refreshed at the end (SQLite full `ANALYZE`, PostgreSQL
 *   `VACUUM (ANALYZE)` of the seeded tables and of the counts their triggers kept), as autovacuum
 *   would after a bulk load.
 *
 * Prints `{ "contacts": n, "companies": n, "deals": n, "seconds": s, "recordsPerSecond": r, … }`.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RequestContext, systemActor } from '@custos/core';
import {
  Account,
  BusinessUnitService,
  InitialAccountService,
  InvitationService,
  Membership,
  TeamService,
  User,
  UserService,
} from '@custos/identity';
import { AppModule } from '../src/app.module';
import { liveCountsOf, RECORD_TABLES } from '../src/migrations/record-counts';
import { loadServerConfig } from '../src/config/server-config';
import { OBJECT_TYPES } from '../src/crm/kernel/object-types';
import { uniqueKeyOf } from '../src/crm/properties/property-values';
import {
  COMPANY_SUFFIX,
  COMPANY_WORDS_A,
  COMPANY_WORDS_B,
  COUNTRIES,
  DEAL_PRODUCTS,
  DEAL_STAGES,
  DEMO_BUSINESS_UNITS,
  DEMO_TEAMS,
  FIRST_NAMES,
  FREE_MAIL_DOMAINS,
  INDUSTRIES,
  JOB_TITLES,
  LAST_NAMES,
  LIFECYCLE_STAGES,
  type Weighted,
} from './seed-data';

export interface SeedOptions {
  contacts: number;
  /** Default: contacts / 20. */
  companies?: number;
  /** Default: contacts / 10. */
  deals?: number;
  /** Demo users to add when the account has only super admins (default 20; 0: none). */
  demoUsers?: number;
  /** Seed of the pseudo-random generator, for reproducible data (default: random). */
  randomSeed?: number;
  /** The account to fill; default the first (oldest) account. */
  accountId?: string;
}

export interface SeedResult {
  contacts: number;
  companies: number;
  deals: number;
  associations: number;
  uniqueValues: number;
  owners: number;
  demoUsersCreated: number;
  database: 'sqlite' | 'postgres';
  accountId: string;
  /** Wall time of the whole seed (demo users, inserts, statistics), not of booting the server. */
  seconds: number;
  /** (contacts + companies + deals) / seconds. */
  recordsPerSecond: number;
}

/** Records per transaction (each with its unique values and associations). */
const RECORDS_PER_TRANSACTION = 10_000;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

// ---------------------------------------------------------------------------------------------
// Random data

/** mulberry32: small, fast, good enough for demo data, reproducible from one seed. */
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

/** Picks from weighted values in O(log n). */
class WeightedPick<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly values: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const weight of weights) {
      sum += weight;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  static of(weighted: readonly Weighted[]): WeightedPick<string> {
    return new WeightedPick(
      weighted.map(([value]) => value),
      weighted.map(([, weight]) => weight),
    );
  }

  /** Zipf-like weights: the first values are much more frequent than the last. */
  static zipf<T>(values: readonly T[], exponent = 1): WeightedPick<T> {
    return new WeightedPick(
      values,
      values.map((_, i) => 1 / Math.pow(i + 1, exponent)),
    );
  }

  pick(random: () => number): T {
    const target = random() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle] > target) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return this.values[low];
  }
}

/** UUIDv7 like core's `newId`, but for a given time and from a pooled random buffer (≈ 25× cheaper). */
class Ids {
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(timeMs: number): string {
    if (this.offset + 16 > this.pool.length) {
      this.pool = randomBytes(16 * 8192);
      this.offset = 0;
    }
    const bytes = this.pool.subarray(this.offset, this.offset + 16);
    this.offset += 16;
    bytes.writeUIntBE(timeMs, 0, 6);
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** ASCII for email local parts and domains: "Jürgen O'Brien" → "jurgenobrien". */
const FOLDED = new Map<string, string>();
function fold(text: string): string {
  let folded = FOLDED.get(text);
  if (folded === undefined) {
    folded = text
      .replace(/ß/g, 'ss')
      .replace(/[łŁ]/g, 'l')
      .replace(/[øØ]/g, 'o')
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
    FOLDED.set(text, folded);
  }
  return folded;
}

const DIGITS = '0123456789';
/** Fills a phone format: `#` is any digit, `%` a digit from 2 to 9. */
function phoneOf(format: string, random: () => number): string {
  let phone = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    phone +=
      c === '#' ? DIGITS[(random() * 10) | 0] : c === '%' ? DIGITS[2 + ((random() * 8) | 0)] : c;
  }
  return phone;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

interface Owner {
  userId: string;
  businessUnitId: string;
}

interface SeededCompany {
  id: string;
  name: string;
  domain: string;
  country: (typeof COUNTRIES)[number];
  city: string;
  ownerIndex: number;
  /** A few of its contacts, for the deals' associations. */
  contacts: string[];
}

/** Everything that picks a value: one instance per seed run. */
class DemoData {
  readonly random: () => number;
  readonly ids = new Ids();
  private readonly firstNames = WeightedPick.zipf(FIRST_NAMES, 0.6);
  private readonly lastNames = WeightedPick.zipf(LAST_NAMES, 0.6);
  private readonly jobTitles = WeightedPick.of(JOB_TITLES);
  private readonly countries = new WeightedPick(
    COUNTRIES,
    COUNTRIES.map((c) => c.weight),
  );
  private readonly cities = new Map(COUNTRIES.map((c) => [c.code, WeightedPick.zipf(c.cities)]));
  private readonly freeMail = WeightedPick.of(FREE_MAIL_DOMAINS);
  private readonly lifecycle = WeightedPick.of(LIFECYCLE_STAGES);
  private readonly industries = WeightedPick.of(INDUSTRIES);
  private readonly stages = new WeightedPick(
    DEAL_STAGES,
    DEAL_STAGES.map(([, weight]) => weight),
  );
  private readonly owners: WeightedPick<number>;

  constructor(
    seed: number,
    readonly ownerCount: number,
    readonly now: number,
  ) {
    this.random = generator(seed);
    this.owners = WeightedPick.zipf(
      Array.from({ length: ownerCount }, (_, i) => i),
      0.7,
    );
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  of<T>(values: readonly T[]): T {
    return values[(this.random() * values.length) | 0];
  }

  owner(): number {
    return this.owners.pick(this.random);
  }

  firstName(): string {
    return this.firstNames.pick(this.random);
  }

  lastName(): string {
    return this.lastNames.pick(this.random);
  }

  jobTitle(): string {
    return this.jobTitles.pick(this.random);
  }

  country(): (typeof COUNTRIES)[number] {
    return this.countries.pick(this.random);
  }

  city(country: string): string {
    return this.cities.get(country)!.pick(this.random);
  }

  freeMailDomain(): string {
    return this.freeMail.pick(this.random);
  }

  lifecycleStage(): string {
    return this.lifecycle.pick(this.random);
  }

  industry(): string {
    return this.industries.pick(this.random);
  }

  dealStage(): (typeof DEAL_STAGES)[number] {
    return this.stages.pick(this.random);
  }

  /**
   * Creation time of record `index` of `count`: spread over the last three years in order, so the
   * time-ordered ids follow creation order and land at the end of the primary key.
   */
  createdAt(index: number, count: number): number {
    const span = 3 * YEAR_MS;
    const start = this.now - span - 60_000;
    return Math.floor(start + (span * (index + this.random())) / Math.max(1, count));
  }

  /** A later modification, mostly recent. */
  updatedAt(createdAt: number): number {
    const age = this.now - 60_000 - createdAt;
    return createdAt + Math.floor(age * (1 - Math.pow(this.random(), 3)));
  }

  /** Log-normal-ish: many small values, a long tail. */
  skewed(median: number, spread: number): number {
    const u = this.random() + this.random() + this.random() - 1.5;
    return median * Math.exp(u * spread);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

interface Table {
  name: string;
  columns: readonly string[];
  /** PostgreSQL element type of each column, for `unnest`. */
  types: readonly string[];
}

const RECORD_COLUMNS = [
  'id',
  'account_id',
  'owner_id',
  'business_unit_id',
  'created_at',
  'updated_at',
  'archived_at',
  'custom',
] as const;

function recordTable(type: keyof typeof OBJECT_TYPES): Table {
  const objectType = OBJECT_TYPES[type];
  const standard = objectType.standard.map((p) => p.name);
  return {
    name: objectType.table,
    columns: [...RECORD_COLUMNS, ...standard],
    types: [
      ...RECORD_COLUMNS.map(() => 'varchar'),
      ...objectType.standard.map((p) => (p.type === 'number' ? 'double precision' : 'varchar')),
    ],
  };
}

const CONTACTS = recordTable('contacts');
const COMPANIES = recordTable('companies');
const DEALS = recordTable('deals');
const UNIQUE_VALUES: Table = {
  name: 'crm_unique_value',
  columns: ['id', 'account_id', 'object_type', 'property_name', 'value_key', 'record_id'],
  types: ['varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar'],
};
const ASSOCIATIONS: Table = {
  name: 'crm_association',
  columns: ['id', 'account_id', 'from_type', 'from_id', 'to_type', 'to_id'],
  types: ['varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar'],
};
const SEEDED_TABLES = [COMPANIES, CONTACTS, DEALS, UNIQUE_VALUES, ASSOCIATIONS];

/**
 * Bulk inserts on the seed's own connection, in explicit transactions. `insert` takes the values
 * of one row in the table's column order and may defer the work until `commit`.
 */
interface BulkWriter {
  /** Starts a batch of records: a transaction of its own, or part of the one bulk load. */
  begin(): Promise<void>;
  insert(table: Table, values: unknown[]): void;
  /** Ends the batch. */
  commit(): Promise<void>;
  /** Undoes everything not yet committed. */
  rollback(): Promise<void>;
  /** After the last batch: completes the load and refreshes the planner statistics. */
  finish(): Promise<void>;
  close(): Promise<void>;
}

/**
 * SQLite: one prepared single-row INSERT per table, re-run per row (a multi-row VALUES list runs
 * as a co-routine in SQLite and measured ~2× slower per row here). `synchronous = OFF` and a
 * larger page cache apply to this connection only; the file keeps the WAL mode the server set.
 *
 * When every seeded table is empty (a fresh demo database), the whole seed is one transaction
 * that drops the tables' secondary indexes, loads the rows and re-creates the indexes from their
 * exact `sqlite_master` definitions before committing: building an index from sorted keys is
 * much cheaper than a million random B-tree inserts, and the unique indexes are still checked
 * when re-created. Other connections see either no seeded data or all of it (with every index);
 * their writes wait for the seed. Otherwise records are committed in batches with the indexes in
 * place.
 */
class SqliteWriter implements BulkWriter {
  private readonly db: Database.Database;
  private readonly statements = new Map<Table, Database.Statement>();
  /** Indexes dropped for a bulk load, to re-create before its commit. */
  private deferredIndexes: string[] | undefined;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 30000');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -262144');
  }

  async begin(): Promise<void> {
    if (this.deferredIndexes !== undefined) {
      return;
    }
    this.db.exec('BEGIN IMMEDIATE');
    const empty = SEEDED_TABLES.every(
      (table) => this.db.prepare(`SELECT 1 FROM ${table.name} LIMIT 1`).get() === undefined,
    );
    if (empty) {
      const indexes = this.db
        .prepare<[], { name: string; sql: string }>(
          `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${SEEDED_TABLES.map((t) => `'${t.name}'`).join(', ')})`,
        )
        .all();
      for (const index of indexes) {
        this.db.exec(`DROP INDEX "${index.name}"`);
      }
      this.deferredIndexes = indexes.map((index) => index.sql);
      // Statements prepared before the schema change would be re-prepared anyway.
      this.statements.clear();
    }
  }

  insert(table: Table, values: unknown[]): void {
    let statement = this.statements.get(table);
    if (!statement) {
      statement = this.db.prepare(
        `INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`,
      );
      this.statements.set(table, statement);
    }
    statement.run(values);
  }

  async commit(): Promise<void> {
    if (this.deferredIndexes === undefined) {
      this.db.exec('COMMIT');
    }
  }

  async rollback(): Promise<void> {
    if (this.db.inTransaction) {
      this.db.exec('ROLLBACK');
    }
    this.deferredIndexes = undefined;
  }

  async finish(): Promise<void> {
    if (this.deferredIndexes !== undefined) {
      for (const sql of this.deferredIndexes) {
        this.db.exec(sql);
      }
      this.db.exec('COMMIT');
      this.deferredIndexes = undefined;
    }
    // Full statistics: with sampled ones every index looks alike, and scoped counts (owner_id IN …)
    // got a plan reading the whole owner index (bench/access found it).
    this.db.pragma('analysis_limit = 0');
    for (const table of SEEDED_TABLES) {
      this.db.exec(`ANALYZE ${table.name}`);
    }
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    if (this.db.inTransaction) {
      this.db.exec('ROLLBACK');
    }
    this.db.close();
  }
}

/** Rows buffered per table before they are sent as one statement. */
const POSTGRES_ROWS_PER_STATEMENT = 5_000;

/**
 * PostgreSQL: rows are buffered by column and sent as `INSERT … SELECT * FROM unnest($1::varchar[],
 * …)`, one statement per 5,000 rows. Statements are chained, not awaited: the next rows are made
 * while the database works (errors surface at `commit`). `synchronous_commit = off`
 * applies to this session only: a crash may lose the last seeded transactions, never corrupt data.
 */
class PostgresWriter implements BulkWriter {
  private readonly buffers = new Map<Table, unknown[][]>();
  /** The statements sent so far, one after the other; never rejects (see `failure`). */
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;

  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<PostgresWriter> {
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('SET synchronous_commit = off');
    return new PostgresWriter(client);
  }

  async begin(): Promise<void> {
    this.failure = undefined;
    this.send('BEGIN', []);
  }

  insert(table: Table, values: unknown[]): void {
    let columns = this.buffers.get(table);
    if (!columns) {
      columns = table.columns.map(() => []);
      this.buffers.set(table, columns);
    }
    for (let c = 0; c < values.length; c++) {
      columns[c].push(values[c]);
    }
    if (columns[0].length >= POSTGRES_ROWS_PER_STATEMENT) {
      this.flush(table);
    }
  }

  private flush(table: Table): void {
    const columns = this.buffers.get(table);
    if (!columns || columns[0].length === 0) {
      return;
    }
    this.buffers.delete(table);
    this.send(
      `INSERT INTO ${table.name} (${table.columns.join(', ')}) SELECT * FROM unnest(${table.types
        .map((type, i) => `$${i + 1}::${type}[]`)
        .join(', ')})`,
      columns,
    );
  }

  private send(sql: string, parameters: unknown[]): void {
    this.queue = this.queue.then(() =>
      this.failure
        ? undefined
        : this.client.query(sql, parameters).catch((error: unknown) => {
            this.failure = error instanceof Error ? error : new Error(String(error));
          }),
    );
  }

  async commit(): Promise<void> {
    for (const table of [...this.buffers.keys()]) {
      this.flush(table);
    }
    await this.queue;
    if (this.failure !== undefined) {
      throw this.failure;
    }
    await this.client.query('COMMIT');
  }

  async rollback(): Promise<void> {
    this.buffers.clear();
    await this.queue;
    await this.client.query('ROLLBACK');
  }

  async finish(): Promise<void> {
    // VACUUM also sets the visibility map, as autovacuum would soon after a bulk load. The counts
    // the triggers kept too: each batch updated them, leaving dead versions and no statistics,
    // and the owner-scoped total is an index-only scan of them (docs/query-performance.md).
    const counts = ['crm_record_count', ...RECORD_TABLES.map(liveCountsOf)];
    await this.client.query(
      `VACUUM (ANALYZE) ${[...SEEDED_TABLES.map((t) => t.name), ...counts].join(', ')}`,
    );
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding

/** The account's active members (owners of seeded records), demo users added if asked and needed. */
async function ownersOf(
  app: INestApplicationContext,
  accountId: string,
  demoUsers: number,
  data: { random: () => number },
): Promise<{ owners: Owner[]; created: number }> {
  const dataSource = app.get(DataSource);
  const active = () =>
    dataSource.getRepository(Membership).find({
      where: { accountId, status: 'active' },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  let members = await active();
  let created = 0;
  if (demoUsers > 0 && members.every((m) => m.superAdmin)) {
    const context = app.get(RequestContext);
    await context.runAs(systemActor(accountId), async () => {
      const units = app.get(BusinessUnitService);
      const teams = app.get(TeamService);
      const users = app.get(UserService);
      const unitIds: string[] = [];
      for (const name of DEMO_BUSINESS_UNITS) {
        unitIds.push((await units.create({ name })).id);
      }
      const teamIds: string[] = [];
      for (const name of DEMO_TEAMS) {
        teamIds.push(
          (await teams.create({ name, description: 'Demo data made by npm run seed' })).id,
        );
      }
      const taken = new Set<string>();
      for (let i = 0; i < demoUsers; i++) {
        const random = data.random;
        let first: string;
        let last: string;
        do {
          first = FIRST_NAMES[(random() * FIRST_NAMES.length) | 0];
          last = LAST_NAMES[(random() * LAST_NAMES.length) | 0];
        } while (taken.has(`${first} ${last}`));
        taken.add(`${first} ${last}`);
        const invited = await users.create({
          email: `${fold(first)}.${fold(last)}.${i + 1}@demo.custos.invalid`,
          displayName: `${first} ${last} (demo)`,
          businessUnitId: unitIds[i % unitIds.length],
          teamIds: [teamIds[i % teamIds.length]],
        });
        // Demo people are the seed's own fiction, with new logins: it accepts for them.
        const invitation = await dataSource
          .getRepository(Membership)
          .findOneByOrFail({ accountId, userId: invited.id });
        const login = await dataSource
          .getRepository(User)
          .findOneByOrFail({ id: invitation.invitedLoginId ?? invited.id });
        await app.get(InvitationService).accept(login, invitation);
        created++;
      }
    });
    members = await active();
  }
  return {
    owners: members.map((m) => ({ userId: m.userId, businessUnitId: m.businessUnitId })),
    created,
  };
}

/**
 * Fills an account of a running application (server or application context) with demo data; the
 * rows are written on a separate connection to the same database.
 */
export async function seedDemoData(
  app: INestApplicationContext,
  options: SeedOptions,
): Promise<SeedResult> {
  const started = process.hrtime.bigint();
  const dataSource = app.get(DataSource);
  const contactCount = options.contacts;
  const companyCount = options.companies ?? Math.round(contactCount / 20);
  const dealCount = options.deals ?? Math.round(contactCount / 10);
  const account =
    options.accountId !== undefined
      ? await dataSource.getRepository(Account).findOneBy({ id: options.accountId })
      : (
          await dataSource
            .getRepository(Account)
            .find({ order: { createdAt: 'ASC', id: 'ASC' }, take: 1 })
        )[0];
  if (!account) {
    throw new Error('There is no account to seed: start the server once first.');
  }
  const accountId = account.id;
  const seed = options.randomSeed ?? randomBytes(4).readUInt32BE(0);
  const setup = { random: generator(seed ^ 0x5eed) };
  const { owners, created } = await ownersOf(app, accountId, options.demoUsers ?? 20, setup);
  if (owners.length === 0) {
    throw new Error(`Account ${accountId} has no active member to own the records.`);
  }
  const data = new DemoData(seed, owners.length, Date.now());

  // Emails are firstname.lastname.N@domain with N continuing after the account's contacts.
  const existing = await dataSource.query<{ total: string | number }[]>(
    `SELECT COUNT(*) AS total FROM ${CONTACTS.name} WHERE account_id = ${dataSource.options.type === 'postgres' ? '$1' : '?'}`,
    [accountId],
  );
  let emailNumber = Number(existing[0]?.total ?? 0);
  const takenDomains = new Set(
    (
      await dataSource.query<{ value_key: string }[]>(
        `SELECT value_key FROM ${UNIQUE_VALUES.name} WHERE account_id = ${dataSource.options.type === 'postgres' ? '$1' : '?'} AND object_type = 'companies' AND property_name = 'domain'`,
        [accountId],
      )
    ).map((row) => row.value_key),
  );

  const connection = dataSource.options;
  const writer: BulkWriter =
    connection.type === 'postgres'
      ? await PostgresWriter.open(connection.url!)
      : new SqliteWriter(connection.database as string);

  /** Calls `emit(i)` for i < count, committing every {@link RECORDS_PER_TRANSACTION} records. */
  const inTransactions = async (count: number, emit: (index: number) => void): Promise<void> => {
    for (let start = 0; start < count; start += RECORDS_PER_TRANSACTION) {
      const end = Math.min(count, start + RECORDS_PER_TRANSACTION);
      await writer.begin();
      try {
        for (let i = start; i < end; i++) {
          emit(i);
        }
        await writer.commit();
      } catch (error) {
        await writer.rollback();
        throw error;
      }
    }
  };
  let associations = 0;
  let uniqueValues = 0;
  const reserve = (
    createdAt: number,
    objectType: string,
    property: string,
    value: string,
    id: string,
  ) => {
    writer.insert(UNIQUE_VALUES, [
      data.ids.next(createdAt),
      accountId,
      objectType,
      property,
      uniqueKeyOf(value),
      id,
    ]);
    uniqueValues++;
  };
  /** Links two records in the canonical direction of the pair (the smaller type name first). */
  const associate = (
    createdAt: number,
    fromType: string,
    fromId: string,
    toType: string,
    toId: string,
  ) => {
    writer.insert(ASSOCIATIONS, [
      data.ids.next(createdAt),
      accountId,
      fromType,
      fromId,
      toType,
      toId,
    ]);
    associations++;
  };

  try {
    // Companies first: contacts and deals refer to them.
    const companies: SeededCompany[] = [];
    await inTransactions(companyCount, (i) => {
      const country = data.country();
      const a = data.of(COMPANY_WORDS_A);
      const b = data.of(COMPANY_WORDS_B);
      const suffixes = COMPANY_SUFFIX[country.code];
      const name = suffixes ? `${a} ${b} ${data.of(suffixes)}` : `${a} ${b}`;
      const base = `${fold(a)}${data.chance(0.5) ? '-' : ''}${fold(b)}`;
      let domain = `${base}.${country.tld}`;
      for (let n = 2; takenDomains.has(domain); n++) {
        domain = `${base}${n}.${country.tld}`;
      }
      takenDomains.add(domain);
      const createdAt = data.createdAt(i, companyCount);
      const id = data.ids.next(createdAt);
      const ownerIndex = data.owner();
      const owner = owners[ownerIndex];
      const city = data.city(country.code);
      const employees = Math.max(1, Math.round(data.skewed(60, 3)));
      writer.insert(COMPANIES, [
        id,
        accountId,
        owner.userId,
        owner.businessUnitId,
        new Date(createdAt).toISOString(),
        new Date(data.updatedAt(createdAt)).toISOString(),
        null,
        '{}',
        name,
        domain,
        data.chance(0.95) ? data.industry() : null,
        data.chance(0.85) ? phoneOf(country.phone, data.random) : null,
        city,
        country.code,
        data.chance(0.9) ? employees : null,
        data.chance(0.7)
          ? Math.round((employees * data.skewed(120_000, 1.2)) / 10_000) * 10_000
          : null,
      ]);
      reserve(createdAt, 'companies', 'domain', domain, id);
      companies.push({ id, name, domain, country, city, ownerIndex, contacts: [] });
    });

    await inTransactions(contactCount, (i) => {
      const company =
        companies.length > 0 && data.chance(0.75)
          ? companies[(data.random() * companies.length) | 0]
          : undefined;
      const country = company && data.chance(0.85) ? company.country : data.country();
      const first = data.firstName();
      const last = data.lastName();
      emailNumber++;
      const domain = company ? company.domain : data.freeMailDomain();
      const email = `${fold(first)}.${fold(last)}.${emailNumber}@${domain}`;
      const createdAt = data.createdAt(i, contactCount);
      const id = data.ids.next(createdAt);
      const owner = owners[company && data.chance(0.7) ? company.ownerIndex : data.owner()];
      const age = data.int(19, 72);
      writer.insert(CONTACTS, [
        id,
        accountId,
        owner.userId,
        owner.businessUnitId,
        new Date(createdAt).toISOString(),
        new Date(data.updatedAt(createdAt)).toISOString(),
        null,
        '{}',
        email,
        data.chance(0.98) ? first : null,
        data.chance(0.98) ? last : null,
        data.chance(0.75) ? phoneOf(country.phone, data.random) : null,
        data.chance(company ? 0.95 : 0.5) ? data.jobTitle() : null,
        company ? company.name : null,
        data.chance(0.9)
          ? company && country === company.country && data.chance(0.7)
            ? company.city
            : data.city(country.code)
          : null,
        data.chance(0.97) ? country.code : null,
        data.lifecycleStage(),
        data.chance(0.6)
          ? isoDate(data.now - age * YEAR_MS - Math.floor(data.random() * YEAR_MS))
          : null,
      ]);
      reserve(createdAt, 'contacts', 'email', email, id);
      if (company) {
        associate(createdAt, 'companies', company.id, 'contacts', id);
        if (company.contacts.length < 3) {
          company.contacts.push(id);
        }
      }
    });

    await inTransactions(dealCount, (i) => {
      const company =
        companies.length > 0 ? companies[(data.random() * companies.length) | 0] : undefined;
      const product = data.of(DEAL_PRODUCTS);
      const [stage, , probability] = data.dealStage();
      const createdAt = data.createdAt(i, dealCount);
      const id = data.ids.next(createdAt);
      const owner = owners[company && data.chance(0.8) ? company.ownerIndex : data.owner()];
      const closed = stage === 'closedwon' || stage === 'closedlost';
      const closeDate = closed
        ? createdAt + Math.floor(data.random() * Math.min(180 * DAY_MS, data.now - createdAt))
        : data.now + Math.floor(data.random() * 180 * DAY_MS);
      writer.insert(DEALS, [
        id,
        accountId,
        owner.userId,
        owner.businessUnitId,
        new Date(createdAt).toISOString(),
        new Date(data.updatedAt(createdAt)).toISOString(),
        null,
        '{}',
        company
          ? `${company.name} – ${product}`
          : `${data.of(COMPANY_WORDS_A)} ${data.of(COMPANY_WORDS_B)} – ${product}`,
        Math.max(100, Math.round(data.skewed(12_000, 1.5) / 100) * 100),
        stage,
        data.chance(0.85) ? 'default' : 'partners',
        isoDate(closeDate),
        probability,
      ]);
      if (company) {
        associate(createdAt, 'companies', company.id, 'deals', id);
        for (const contactId of company.contacts.slice(0, data.int(0, 2))) {
          associate(createdAt, 'contacts', contactId, 'deals', id);
        }
      }
    });
    await writer.finish();
  } finally {
    await writer.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const records = contactCount + companyCount + dealCount;
  return {
    contacts: contactCount,
    companies: companyCount,
    deals: dealCount,
    associations,
    uniqueValues,
    owners: owners.length,
    demoUsersCreated: created,
    database: connection.type === 'postgres' ? 'postgres' : 'sqlite',
    accountId,
    seconds: Math.round(seconds * 1000) / 1000,
    recordsPerSecond: Math.round(records / seconds),
  };
}

// ---------------------------------------------------------------------------------------------
// Command line

function parseArguments(argv: readonly string[]): SeedOptions {
  const usage =
    'Usage: npm run seed -- --contacts N [--companies N] [--deals N] [--demo-users N] [--random-seed N]';
  const values = new Map<string, number>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(contacts|companies|deals|demo-users|random-seed)(?:=(.*))?$/.exec(argv[i]);
    if (!match) {
      throw new Error(`Unknown argument "${argv[i]}". ${usage}`);
    }
    const raw = match[2] ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isSafeInteger(value) || value < 0) {
      throw new Error(`--${match[1]} needs a whole number ≥ 0, got "${raw}". ${usage}`);
    }
    values.set(match[1], value);
  }
  if (!values.has('contacts')) {
    throw new Error(usage);
  }
  return {
    contacts: values.get('contacts')!,
    companies: values.get('companies'),
    deals: values.get('deals'),
    demoUsers: values.get('demo-users'),
    randomSeed: values.get('random-seed'),
  };
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const config = loadServerConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    // First start, as the server does it, when the database has no account yet.
    const initial = await app
      .get(InitialAccountService)
      .ensure({ email: config.adminEmail, password: config.adminPassword });
    if (initial?.generatedPassword) {
      process.stderr.write(
        `\n  Created account "Demo": sign in as ${initial.email} with password ${initial.generatedPassword}\n  (shown only now; set CUSTOS_ADMIN_PASSWORD to choose it)\n\n`,
      );
    }
    const result = await seedDemoData(app, options);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
