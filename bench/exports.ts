/**
 * bench/exports: the CRM's `records` export source (src/crm/exports) producing CSV lines, against
 * floors measured in the same run on the same data.
 *
 * Per database, on a scratch database seeded with `seedDemoData` (scripts/seed.ts) to `contacts`
 * contacts, with `CrmExportsModule` beside the server (`bootBenchApp`, bench/crm-search):
 * 0. Set-up through the HTTP API as the admin: a user `rep` in the demo team owning the share of
 *    contacts closest to 15 %, with a role reading and exporting contacts at `team` level, a
 *    restrict rule on the role for both actions (`country $in` eight European countries) and view
 *    allow-lists hiding `phone` and `birthdate` (super admins only). On PostgreSQL also three
 *    sensitive custom properties (`sensitivity: {}`), each contact given a value of each, sealed
 *    with the account's keys as the record store seals them (bound to record and property), written
 *    in batches of SQL updates. Then what the seed and set-up wrote is put on disk
 *    (`settleWrites`) before anything is measured.
 * 1. `plaintext`: the source's rows for `rep` (RequestContext.runAs), eight readable properties
 *    plus the record id, each row joined into a CSV line (a simple join: the file writers are
 *    another lib's), rows/s and peak RSS growth over the run (sampled every 20 ms).
 *    PostgreSQL also: `copy`, `COPY (SELECT … same WHERE … ORDER BY id) TO STDOUT WITH (FORMAT
 *    csv)` through `psql` to /dev/null: the source's own SQL (captured from TypeORM's query log:
 *    the query its cursor declares), parameters inlined. Target: plaintext ≤ 2× COPY's time.
 * 1b. `pipeline`: the whole export — the source's batches through `writeExportFile` (CSV and XLSX)
 *    into a SHA-256, the bytes discarded — for `rep`, for the super admin (CSV) and on PostgreSQL
 *    for `rep` with the sensitive properties; ratios to COPY and to the floor of the same run.
 *    `plaintext` and `plaintextAll` are the median of three runs. `csvAllNoted`: the super admin's
 *    CSV with each batch's record ids noted in `custos_export_record` as the export run notes
 *    them, alternated with `csvAll` three times each (medians); `notedToCsvAll` is its cost.
 * 2. PostgreSQL, `sensitive`: the same with the three sensitive properties (values opened, each
 *    page's `sensitive_data.viewed` audit event written) vs `floor`: the same SQL through a server
 *    cursor (`FETCH 250`, the next page fetched while one is opened, as the source does) on a raw
 *    driver connection, the three values opened with the account's cipher, lines joined; and
 *    `bareOpens`: the floor's AES-GCM opens alone, envelopes in memory (what 30,000 rows/s asks of
 *    the CPU). Targets: ≥ 30,000 rows/s and ≤ 1.3× the floor's time.
 *    The source opens its pages in the server's opening workers when it has any
 *    (`CUSTOS_OPENING_WORKERS`, default 0; `openingWorkers`); the floor stays single-threaded on
 *    purpose — what one thread reading and opening does — so `sensitiveToFloor` below 1 is the
 *    workers' gain. `sensitiveByWorkers`: `sensitive` again on servers of the same database with
 *    the other counts of 0, 1 and 2 workers. `responsivenessSensitive`: item 3's searches during the rep's sensitive CSV;
 *    `responsivenessSensitiveByWorkers`: during the exports of `sensitiveByWorkers`' servers.
 *    SQLite, `floor`: the statements the source ran on its export connection, replayed on a
 *    read-only connection of the same database (a narrow scope's row ids collected into a
 *    temporary table, then the statement stepped by better-sqlite3: rows as arrays, lines joined,
 *    median of three), and `floorAll` the super admin's. Target: plaintext ≥ 160,000 rows/s.
 *    With `--exports-steps plaintext` a run stops after `plaintext`, `plaintextAll` and SQLite's
 *    floors (no COPY, pipeline, sensitive export nor responsiveness).
 * 3. `responsiveness`: 300 sequential searches (`POST /api/v1/objects/contacts/search`, country
 *    `DE`, by creation date, 50 rows, no total) as the admin with nothing else running, then the
 *    same while the super admin's CSV export runs in the server's process; p50/p99/max. Target:
 *    p99 during the export ≤ 2× idle. The server's peak RSS growth while it answers the idle
 *    searches alone (`idleRssGrowthMb`) and while it also exports (`duringExportRssGrowthMb`).
 * Each step is printed on stderr as it ends (rows, seconds, rows/s, RSS growth, peak heap and
 * off-heap, time since the run began): a long run shows where it is.
 */
import { execFileSync, fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AddressInfo, Server } from 'node:net';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RequestContext, type Actor } from '@custos/core';
import { createTestDatabase, type DatabaseKind } from '@custos/core/testing';
import { AccountCiphers, OpeningWorkers } from '@custos/crypto';
import {
  EXPORT_SOURCES,
  type ExportCell,
  type ExportSource,
  type ExportTarget,
} from '@custos/exports';
// eslint-disable-next-line no-restricted-imports
import { writeExportFile, type ExportFormat } from '../libs/exports/src/writers';
// eslint-disable-next-line no-restricted-imports
import { ExportRecords } from '../libs/exports/src/log/export-records';
import { CrmExportsModule, SENSITIVE_EXPORT_BATCH_SIZE } from '../src/crm/exports';
import { CrmAccessService } from '../src/crm/records/crm-access.service';
import { PropertySchemaService } from '../src/crm/properties/property-schemas.service';
import { recordValuePlace } from '../src/crm/sensitive/sealed-places';
import { seedDemoData } from '../scripts/seed';
import { HttpClient, bootBenchApp, settleWrites, signIn } from './crm-search';

const REP_EMAIL = 'rep.exports@example.com';
const REP_PASSWORD = 'a long enough bench password';
const RANDOM_SEED = 20_260_115;
const TARGET_TEAM_SHARE = 0.15;
const ROLE_COUNTRIES = ['DE', 'AT', 'CH', 'NL', 'BE', 'FR', 'GB', 'IE'];
const PLAIN = [
  'email',
  'firstname',
  'lastname',
  'company',
  'city',
  'country',
  'lifecyclestage',
  'jobtitle',
];
const SENSITIVE = ['national_id', 'diagnosis', 'bank_account'];
const SEAL_BATCH = 5000;

export interface ExportsOptions {
  contacts: number;
  /**
   * `plaintext`: only the plaintext exports and their floors (SQLite's statements alone), no
   * PostgreSQL COPY, pipeline, sensitive export or responsiveness; `all` (default): every step.
   */
  steps?: 'all' | 'plaintext';
}

export interface Throughput {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Peak RSS during the run minus RSS before it, MB. */
  peakRssGrowthMb?: number;
  peakRssMb?: number;
  /** Peak V8 heap in use and peak off-heap (Buffers, ArrayBuffers) during the run, MB. */
  peakHeapUsedMb?: number;
  peakExternalMb?: number;
  /**
   * CPU time of this process (every thread: the opening workers too, not the database's) per
   * row, µs, and of its main thread alone (Linux: /proc, 10 ms ticks). Steadier than rows/s on a
   * loaded machine; with 2 cores, 30,000 rows/s leaves ~66 µs of CPU per row for this process
   * and the database together, and ~33 µs for any one thread.
   */
  cpuUsPerRow?: number;
  mainThreadUsPerRow?: number;
}

export interface Pipeline {
  csv: Throughput;
  xlsx: Throughput;
  /** The super admin's CSV: every contact. */
  csvAll: Throughput;
  /**
   * The same with each batch's record ids noted in `custos_export_record` as the export run does
   * (one INSERT per batch, before the batch goes to the writer); median of three, as is `csvAll`.
   */
  csvAllNoted: Throughput;
  /** csvAllNoted seconds / csvAll seconds (the recipients' log's cost). */
  notedToCsvAll: number;
  /** PostgreSQL: the rep's CSV with the three sensitive properties. */
  sensitiveCsv?: Throughput;
  csvToCopy?: number;
  xlsxToCopy?: number;
  sensitiveCsvToFloor?: number;
}

/** Latency of a search request (`POST /api/v1/objects/contacts/search`), ms. */
export interface Latency {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Responsiveness {
  /** Sequential searches with nothing else running. */
  idle: Latency;
  /** The same searches while the super admin's CSV export runs in the server's process. */
  duringExport: Latency;
  exportSeconds: number;
  /** duringExport.p99Ms / idle.p99Ms. Target ≤ 2. */
  p99Ratio: number;
  /**
   * Peak RSS growth of this process (the server) over a full collection, MB: while the idle
   * searches are answered, and while the export runs with the searches — what the export adds
   * to a server that is answering requests.
   */
  idleRssGrowthMb: number;
  duringExportRssGrowthMb: number;
}

export interface ExportsResult {
  database: DatabaseKind;
  contacts: number;
  seedSeconds: number;
  setup: { teamShare: number; exportableRows: number; sealSeconds?: number };
  plaintext: Throughput;
  /** The same export by a super admin: every contact. */
  plaintextAll: Throughput;
  copy?: Throughput;
  /** SQLite: plaintext seconds / the floor's (the statement alone, see `statementFloor`). */
  plaintextToFloor?: number;
  /** SQLite: the super admin's statement alone, and plaintextAll seconds / its seconds. */
  floorAll?: Throughput;
  plaintextAllToFloorAll?: number;
  /** plaintext seconds / COPY seconds. Target ≤ 2. */
  plaintextToCopy?: number;
  /**
   * The source through `writeExportFile` to a SHA-256 (the rep's export unless named `All`);
   * not measured with `steps: 'plaintext'`, nor are the sensitive export and responsiveness.
   */
  pipeline?: Pipeline;
  sensitive?: Throughput;
  floor?: Throughput;
  /** sensitive seconds / floor seconds. Target ≤ 1.3. */
  sensitiveToFloor?: number;
  /** PostgreSQL: the floor's AES-GCM opens alone (3 per row, envelopes in memory): rows/s. */
  bareOpens?: Throughput;
  /** Opening workers of the server that measured `sensitive` (`CUSTOS_OPENING_WORKERS`). */
  openingWorkers?: number;
  /**
   * PostgreSQL: `sensitive` again on servers of the same database with the other counts of 0, 1
   * and 2 opening workers (0: every value opened on the event loop), by worker count.
   */
  sensitiveByWorkers?: Record<string, Throughput>;
  responsiveness?: Responsiveness;
  /** PostgreSQL: the same searches while the rep's sensitive CSV export runs (values opened). */
  responsivenessSensitive?: Responsiveness;
  /** The same during `sensitiveByWorkers`' exports (the source alone, lines joined), by worker count. */
  responsivenessSensitiveByWorkers?: Record<string, Responsiveness>;
  targets: Record<string, boolean>;
  loadAverage: number[];
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

function csvLine(cells: readonly ExportCell[]): string {
  return cells
    .map((cell) => (cell === null ? '' : cell instanceof Date ? cell.toISOString() : String(cell)))
    .join(',');
}

setFlagsFromString('--expose-gc');
/** A full collection: each run's RSS growth is counted from a heap without earlier garbage. */
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Runs `work` (which returns rows done) while sampling RSS; rows/s and peak growth over the RSS
 * right after a full collection (the seeding's garbage would otherwise hide or inflate it).
 */
async function measured(
  work: () => Promise<number>,
  ran?: (run: Throughput) => void,
): Promise<Throughput> {
  collectGarbage();
  const before = process.memoryUsage().rss;
  let peak = before;
  let heap = 0;
  let external = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
    external = Math.max(external, usage.external + usage.arrayBuffers);
  };
  const sampler = setInterval(sample, 20);
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuUs();
  const started = now();
  try {
    const rows = await work();
    const seconds = (now() - started) / 1000;
    sample();
    const cpu = process.cpuUsage(cpuBefore);
    const mainCpu = mainThreadCpuUs();
    const run: Throughput = {
      rows,
      seconds: round(seconds, 3),
      cpuUsPerRow: round((cpu.user + cpu.system) / Math.max(rows, 1), 1),
      mainThreadUsPerRow:
        mainCpu === undefined || mainBefore === undefined
          ? undefined
          : round((mainCpu - mainBefore) / Math.max(rows, 1), 1),
      rowsPerSecond: Math.round(rows / seconds),
      peakRssGrowthMb: mb(peak - before),
      peakRssMb: mb(peak),
      peakHeapUsedMb: mb(heap),
      peakExternalMb: mb(external),
    };
    ran?.(run);
    return run;
  } finally {
    clearInterval(sampler);
  }
}

/** CPU time of the main thread so far, µs (Linux: its /proc stat, in 10 ms ticks). */
function mainThreadCpuUs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // The fields after the command (which may hold spaces), from the 3rd: utime is the 14th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** The run of three whose time is the median (short runs on a shared machine are noisy). */
async function medianOf3(
  work: () => Promise<number>,
  ran?: (run: Throughput) => void,
): Promise<Throughput> {
  const runs: Throughput[] = [];
  for (let i = 0; i < 3; i++) {
    runs.push(await measured(work, ran));
  }
  return runs.sort((a, b) => a.seconds - b.seconds)[1];
}

/**
 * Each step of a run on stderr as it ends — its rows, time and RSS growth, and the time since the
 * run began — so a long run shows where it is and which step is slow.
 */
class Progress {
  private readonly started = now();

  constructor(private readonly kind: DatabaseKind) {}

  say(message: string): void {
    const elapsed = ((now() - this.started) / 1000).toFixed(1);
    process.stderr.write(`exports on ${this.kind} [${elapsed} s]: ${message}\n`);
  }

  /** A reporter of `step`'s runs, for {@link measured}. */
  ran(step: string): (run: Throughput) => void {
    return (run) =>
      this.say(
        `${step}: ${run.rows} rows in ${run.seconds} s (${run.rowsPerSecond} rows/s, RSS +${run.peakRssGrowthMb} MB, peak heap ${run.peakHeapUsedMb} MB, off-heap ${run.peakExternalMb} MB)`,
      );
  }
}

/** A statement the SQLite export ran on its own connection: `exec`uted, `run`, or the one it iterates. */
interface SqliteStep {
  sql: string;
  parameters: unknown[];
  how: 'exec' | 'run' | 'iterate';
}

/**
 * SQLite's floor: the export connection's statements (`steps`, the last one iterated) on a
 * read-only connection, rows as arrays, lines joined.
 */
function statementFloor(file: string, steps: readonly SqliteStep[]): number {
  const database = new Database(file, { readonly: true, fileMustExist: true });
  let rows = 0;
  try {
    for (const { sql, parameters, how } of steps.slice(0, -1)) {
      if (how === 'exec') {
        database.exec(sql);
      } else {
        database.prepare(sql).run(...parameters);
      }
    }
    const { sql, parameters } = steps[steps.length - 1];
    for (const row of database
      .prepare<unknown[], ExportCell[]>(sql)
      .raw(true)
      .iterate(...parameters)) {
      csvLine(row);
      rows += 1;
    }
  } finally {
    database.close();
  }
  return rows;
}

/** SQLite's floors (the rep's and the super admin's statements alone) and the exports' ratios to them. */
function sqliteFloors(
  plaintext: Throughput,
  plaintextAll: Throughput,
  floor: Throughput | undefined,
  floorAll: Throughput | undefined,
): Pick<ExportsResult, 'floor' | 'plaintextToFloor' | 'floorAll' | 'plaintextAllToFloorAll'> {
  return floor && floorAll
    ? {
        floor,
        plaintextToFloor: round(plaintext.seconds / floor.seconds),
        floorAll,
        plaintextAllToFloorAll: round(plaintextAll.seconds / floorAll.seconds),
      }
    : {};
}

/** A query's `$n` parameters written as SQL literals (for COPY through psql). */
function inlined(sql: string, parameters: readonly unknown[]): string {
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) {
      return 'NULL';
    }
    if (Array.isArray(value)) {
      return `ARRAY[${value.map(literal).join(', ')}]`;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    return `'${(value as string).replace(/'/g, "''")}'`;
  };
  return sql.replace(/\$(\d+)/g, (_match, n: string) => literal(parameters[Number(n) - 1]));
}

export async function benchExports(
  kind: DatabaseKind,
  options: ExportsOptions,
): Promise<ExportsResult> {
  const database = await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-exports-'));
  const environment = {
    databaseUrl: database.url,
    dataDir,
    masterKey: randomBytes(32).toString('base64'),
  };
  const app = await bootBenchApp(environment, [CrmExportsModule]);
  const progress = new Progress(kind);
  try {
    progress.say(`seeding ${options.contacts} contacts…`);
    const seed = await seedDemoData(app, { contacts: options.contacts, randomSeed: RANDOM_SEED });
    progress.say(`seeded in ${seed.seconds} s; setting up the rep…`);
    await app.listen(0, '127.0.0.1');
    const http = new HttpClient(((app.getHttpServer() as Server).address() as AddressInfo).port);
    const dataSource = app.get(DataSource);
    const setup = await setUp(kind, http, dataSource, seed.accountId);
    http.close();
    const rep: Actor = {
      kind: 'user',
      id: setup.repId,
      userId: setup.repId,
      accountId: seed.accountId,
      label: REP_EMAIL,
      superAdmin: false,
    };
    const context = app.get(RequestContext);
    const source = app.get<ExportSource[]>(EXPORT_SOURCES).find((s) => s.name === 'records')!;
    const target = (properties: string[]): ExportTarget => ({
      source: 'records',
      selection: { objectType: 'contacts' },
      properties,
    });
    const [{ user_id: adminId }] = await dataSource.query<{ user_id: string }[]>(
      `SELECT user_id FROM identity_membership WHERE account_id = ${kind === 'postgres' ? '$1' : '?'} AND super_admin = ${kind === 'postgres' ? 'true' : '1'} LIMIT 1`,
      [seed.accountId],
    );
    const admin: Actor = { ...rep, id: adminId, userId: adminId, label: 'admin', superAdmin: true };
    const exported =
      (properties: string[], actor = rep) =>
      () =>
        context.runAs(actor, async () => {
          let rows = 0;
          let bytes = 0;
          for await (const batch of source.rows(target(properties), new AbortController().signal)) {
            for (const row of batch) {
              bytes += csvLine(row).length + 1;
            }
            rows += batch.length;
          }
          return bytes >= 0 ? rows : 0;
        });
    const exportable = await context.runAs(rep, () => source.plan(target(PLAIN)));

    let sealSeconds: number | undefined;
    if (kind === 'postgres' && options.steps !== 'plaintext') {
      const ids = await context.runAs(rep, async () => {
        const all: string[] = [];
        for await (const batch of source.rows(target(['email']), new AbortController().signal)) {
          all.push(...batch.map((row) => row[0] as string));
        }
        return all;
      });
      sealSeconds = await sealSensitiveValues(app, admin, ids);
      progress.say(`sealed ${ids.length} contacts' sensitive values in ${sealSeconds} s`);
    }

    // PostgreSQL: the source's own SQL, captured from TypeORM's query log (the cursor's DECLARE).
    let captured: { sql: string; parameters: unknown[] } | undefined;
    if (kind === 'postgres') {
      const logger = dataSource.logger;
      const logQuery = logger.logQuery.bind(logger);
      logger.logQuery = (sql, parameters, runner) => {
        const declared = /^DECLARE \w+ NO SCROLL CURSOR FOR ([\s\S]*)$/.exec(sql);
        if (!captured && declared && /FROM "crm_contact"/.test(sql)) {
          captured = { sql: declared[1], parameters: Array.isArray(parameters) ? parameters : [] };
        }
        logQuery(sql, parameters, runner);
      };
      await context.runAs(rep, async () => {
        for await (const batch of source.rows(
          target([...PLAIN, ...SENSITIVE]),
          new AbortController().signal,
        )) {
          void batch;
          break;
        }
      });
      logger.logQuery = logQuery;
      if (!captured) {
        throw new Error('the export SQL was not captured');
      }
    }
    // SQLite: the statements of the export's own connection, recorded from better-sqlite3 up to
    // the one it iterates (a narrow scope's row ids are collected into a temporary table first).
    const sqliteSteps = async (actor: Actor): Promise<SqliteStep[]> => {
      const steps = new Map<Database.Database, SqliteStep[]>();
      const record = (database: Database.Database, step: SqliteStep) =>
        steps.set(database, [...(steps.get(database) ?? []), step]);
      /* eslint-disable @typescript-eslint/unbound-method -- restored below, called with `this` */
      const prepare = Database.prototype.prepare;
      const exec = Database.prototype.exec;
      /* eslint-enable @typescript-eslint/unbound-method */
      Database.prototype.exec = function (this: Database.Database, source: string) {
        record(this, { sql: source, parameters: [], how: 'exec' });
        return exec.call(this, source);
      };
      Database.prototype.prepare = function (this: Database.Database, source: string) {
        const prepared = prepare.call(this, source) as Database.Statement<unknown[]>;
        const run = prepared.run.bind(prepared);
        const iterate = prepared.iterate.bind(prepared);
        prepared.run = (...values: unknown[]) => {
          record(this, { sql: source, parameters: values, how: 'run' });
          return run(...values);
        };
        prepared.iterate = (...values: unknown[]) => {
          record(this, { sql: source, parameters: values, how: 'iterate' });
          return iterate(...values);
        };
        return prepared;
      } as typeof prepare;
      try {
        await context.runAs(actor, async () => {
          for await (const batch of source.rows(target(PLAIN), new AbortController().signal)) {
            void batch;
            break;
          }
        });
      } finally {
        Database.prototype.prepare = prepare;
        Database.prototype.exec = exec;
      }
      const exporting = (step: SqliteStep) =>
        step.how === 'iterate' && /FROM "crm_contact"/.test(step.sql) && /ORDER BY/.test(step.sql);
      const found = [...steps.values()].find((all) => all.some(exporting));
      if (!found) {
        throw new Error('the export SQL was not captured');
      }
      return found.slice(0, found.findIndex(exporting) + 1);
    };
    const repSteps = kind === 'sqlite' ? await sqliteSteps(rep) : undefined;
    const whole = captured?.sql ?? '';

    await settleWrites(kind, dataSource);
    progress.say(`set up: the rep exports ${exportable.count} rows; measuring…`);
    const plaintext = await medianOf3(exported(PLAIN), progress.ran('plaintext'));
    // The same properties for a super admin: every contact, no rule — the source's cost per row.
    const plaintextAll = await medianOf3(exported(PLAIN, admin), progress.ran('plaintextAll'));
    // SQLite: the source's own statement stepped by better-sqlite3 (rows as arrays), lines joined.
    const sqliteFloor =
      kind === 'sqlite'
        ? await medianOf3(
            () =>
              Promise.resolve(
                statementFloor((dataSource.options as { database: string }).database, repSteps!),
              ),
            progress.ran('floor'),
          )
        : undefined;
    // SQLite: the super admin's statement alone (every contact), as `floor` is the rep's.
    const sqliteFloorAll =
      kind === 'sqlite'
        ? await (async () => {
            const steps = await sqliteSteps(admin);
            return medianOf3(
              () =>
                Promise.resolve(
                  statementFloor((dataSource.options as { database: string }).database, steps),
                ),
              progress.ran('floorAll'),
            );
          })()
        : undefined;
    const measuredPlaintext = {
      database: kind,
      contacts: options.contacts,
      seedSeconds: seed.seconds,
      setup: { teamShare: setup.teamShare, exportableRows: exportable.count, sealSeconds },
      plaintext,
      plaintextAll,
      ...sqliteFloors(plaintext, plaintextAll, sqliteFloor, sqliteFloorAll),
    };
    const plaintextTargets: Record<string, boolean> =
      kind === 'sqlite' ? { sqlitePlaintextAtLeast160k: plaintext.rowsPerSecond >= 160_000 } : {};
    if (options.steps === 'plaintext') {
      return {
        ...measuredPlaintext,
        targets: plaintextTargets,
        loadAverage: loadavg().map((n) => round(n)),
      };
    }
    // The whole pipeline: the source's batches through the file writer, the bytes hashed.
    const plan = await context.runAs(rep, () => source.plan(target(PLAIN)));
    const records = app.get(ExportRecords);
    const filed = (
      step: string,
      format: ExportFormat,
      properties: string[],
      actor = rep,
      noted = false,
    ) =>
      measured(
        () =>
          context.runAs(actor, async () => {
            const columns = (await source.plan(target(properties))).columns;
            const recordId = columns.findIndex((column) => column.recordId);
            const exportId = randomUUID();
            let rows = 0;
            const batches = async function* () {
              const read = source.rows(target(properties), new AbortController().signal);
              for await (const batch of noted
                ? records.noting(seed.accountId, exportId, read, recordId)
                : read) {
                rows += batch.length;
                yield batch;
              }
            };
            const file = writeExportFile(format, columns, batches(), { expectedRows: plan.count });
            const hash = createHash('sha256');
            for await (const chunk of file.bytes) {
              hash.update(chunk);
            }
            hash.digest();
            return rows;
          }),
        progress.ran(`pipeline ${step}`),
      );
    // Alternately, so load changes on the shared machine fall on both alike.
    const all: Throughput[] = [];
    const noted: Throughput[] = [];
    for (let i = 0; i < 3; i++) {
      all.push(await filed('csvAll', 'csv', PLAIN, admin));
      noted.push(await filed('csvAllNoted', 'csv', PLAIN, admin, true));
    }
    const median = (runs: Throughput[]) =>
      [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
    const pipeline: Pipeline = {
      csv: await filed('csv', 'csv', PLAIN),
      xlsx: await filed('xlsx', 'xlsx', PLAIN),
      csvAll: median(all),
      csvAllNoted: median(noted),
      notedToCsvAll: round(median(noted).seconds / median(all).seconds),
    };
    // Responsiveness: searches as the admin while the super admin's CSV export runs.
    const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
    const searchHttp = new HttpClient(port);
    progress.say("responsiveness: searches idle, then during the super admin's CSV…");
    const responding = await responsiveness(port, await signIn(searchHttp), () =>
      filed('csvAll during the searches', 'csv', PLAIN, admin),
    );
    const respondingSensitive =
      kind === 'postgres'
        ? await responsiveness(port, await signIn(searchHttp), () =>
            filed('sensitive csv during the searches', 'csv', [...PLAIN, ...SENSITIVE]),
          )
        : undefined;
    searchHttp.close();
    progress.say(
      `responsiveness: p99 ${responding.idle.p99Ms} ms idle, ${responding.duringExport.p99Ms} ms during (${responding.duringExport.requests} searches); RSS +${responding.idleRssGrowthMb} MB searching alone`,
    );
    /** `sensitive` on another server of the same database with `threads` opening workers. */
    const sensitiveWith = async (
      threads: number,
    ): Promise<{ throughput: Throughput; responding: Responsiveness }> => {
      const other = await bootBenchApp(
        { ...environment, env: { CUSTOS_OPENING_WORKERS: String(threads) } },
        [CrmExportsModule],
      );
      try {
        const otherSource = other
          .get<ExportSource[]>(EXPORT_SOURCES)
          .find((s) => s.name === 'records')!;
        const run = () =>
          other.get(RequestContext).runAs(rep, async () => {
            let rows = 0;
            const read = otherSource.rows(
              target([...PLAIN, ...SENSITIVE]),
              new AbortController().signal,
            );
            for await (const batch of read) {
              for (const row of batch) {
                csvLine(row);
              }
              rows += batch.length;
            }
            return rows;
          });
        // Once first: a new server's opening workers start cold (their code not yet optimised),
        // where the measured server's are warm from its earlier runs.
        await run();
        const throughput = await measured(run);
        await other.listen(0, '127.0.0.1');
        const otherPort = ((other.getHttpServer() as Server).address() as AddressInfo).port;
        const otherHttp = new HttpClient(otherPort);
        try {
          return {
            throughput,
            responding: await responsiveness(otherPort, await signIn(otherHttp), () =>
              measured(run),
            ),
          };
        } finally {
          otherHttp.close();
        }
      } finally {
        await other.close();
      }
    };
    const result: ExportsResult = {
      ...measuredPlaintext,
      pipeline,
      responsiveness: responding,
      ...(respondingSensitive ? { responsivenessSensitive: respondingSensitive } : {}),
      targets: { ...plaintextTargets },
      loadAverage: [],
    };
    if (kind === 'postgres') {
      result.copy = await measured(async () => {
        execFileSync(
          'psql',
          [
            database.url,
            '-v',
            'ON_ERROR_STOP=1',
            '-c',
            `COPY (${inlined(whole, captured!.parameters)}) TO STDOUT WITH (FORMAT csv)`,
          ],
          { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 20 },
        );
        return plaintext.rows;
      }, progress.ran('copy'));
      result.plaintextToCopy = round(plaintext.seconds / result.copy.seconds);
      pipeline.csvToCopy = round(pipeline.csv.seconds / result.copy.seconds);
      pipeline.xlsxToCopy = round(pipeline.xlsx.seconds / result.copy.seconds);
      result.sensitive = await measured(
        exported([...PLAIN, ...SENSITIVE]),
        progress.ran('sensitive'),
      );
      result.openingWorkers = app.get(OpeningWorkers).threads;
      result.sensitiveByWorkers = { [result.openingWorkers]: result.sensitive };
      for (const threads of [0, 1, 2].filter((n) => n !== result.openingWorkers)) {
        const other = await sensitiveWith(threads);
        progress.ran(`sensitive with ${threads} opening workers`)(other.throughput);
        result.sensitiveByWorkers[threads] = other.throughput;
        (result.responsivenessSensitiveByWorkers ??= {})[threads] = other.responding;
      }
      result.floor = await measured(
        () =>
          cursorFloor(
            database.url,
            app.get(AccountCiphers),
            seed.accountId,
            whole,
            captured!.parameters,
          ),
        progress.ran('floor'),
      );
      result.sensitiveToFloor = round(result.sensitive.seconds / result.floor.seconds);
      result.bareOpens = await bareOpens(
        database.url,
        app.get(AccountCiphers),
        seed.accountId,
        whole,
        captured!.parameters,
      );
      pipeline.sensitiveCsv = await filed('sensitiveCsv', 'csv', [...PLAIN, ...SENSITIVE]);
      pipeline.sensitiveCsvToFloor = round(pipeline.sensitiveCsv.seconds / result.floor.seconds);
      result.targets.plaintextAtMost2xCopy = result.plaintextToCopy <= 2;
      result.targets.sensitiveAtLeast30k = result.sensitive.rowsPerSecond >= 30_000;
      result.targets.sensitiveAtMost1_3xFloor = result.sensitiveToFloor <= 1.3;
    }
    result.targets.searchP99DuringExportAtMost2xIdle = responding.p99Ratio <= 2;
    if (respondingSensitive) {
      result.targets.searchP99DuringSensitiveExportAtMost2xIdle = respondingSensitive.p99Ratio <= 2;
    }
    result.targets.rssGrowthAtMost100Mb = [
      result.plaintext,
      result.plaintextAll,
      result.sensitive,
      pipeline.csv,
      pipeline.xlsx,
      pipeline.csvAll,
      pipeline.csvAllNoted,
      pipeline.sensitiveCsv,
    ]
      .filter((t): t is Throughput => t !== undefined)
      .every((t) => (t.peakRssGrowthMb ?? 0) <= 100);
    // The same bound for the exports that ran while the server answered searches.
    result.targets.rssGrowthWhileSearchingAtMost100Mb = [responding, respondingSensitive]
      .filter((r): r is Responsiveness => r !== undefined)
      .every((r) => r.duringExportRssGrowthMb <= 100);
    result.loadAverage = loadavg().map((n) => round(n));
    return result;
  } finally {
    await app.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const SEARCH = {
  filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: 'DE' }] }],
  sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
  limit: 50,
  total: 'none',
};

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return {
    requests: sorted.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: round(sorted[sorted.length - 1]),
  };
}

/**
 * Search latencies idle, then while `work` (an export in the server's process) runs: one search
 * at a time from a client in a process of its own (bench/search-client.ts), as a user's browser
 * or integration sends them — a client in the server's process would wait behind the export's
 * slices to read each answer.
 */
async function responsiveness(
  port: number,
  token: string,
  work: () => Promise<Throughput>,
): Promise<Responsiveness> {
  const client = fork(join(__dirname, 'search-client.ts'), [], { execArgv: process.execArgv });
  const answer = <K extends 'idle' | 'during'>(key: K) =>
    new Promise<number[]>((resolve, reject) => {
      const listen = (message: { idle?: number[]; during?: number[]; error?: string }) => {
        if (message.error) {
          reject(new Error(`search client: ${message.error}`));
        } else if (message[key]) {
          client.off('message', listen);
          resolve(message[key]);
        }
      };
      client.on('message', listen);
      client.once('exit', (code) => reject(new Error(`search client exited (${code})`)));
    });
  try {
    const idle = answer('idle');
    let idleTimes: number[] = [];
    const idleRun = await measured(async () => {
      client.send({ port, token, search: SEARCH, warmUp: 20, idle: 300 });
      idleTimes = await idle;
      return idleTimes.length;
    });
    const during = answer('during');
    const started = now();
    // Started first: its synchronous start (the bench's full collection) falls before any search.
    const exporting = work();
    client.send({ during: true });
    const exported = await exporting;
    client.send({ stop: true });
    const result = { idle: latency(idleTimes), duringExport: latency(await during) };
    return {
      ...result,
      exportSeconds: round((now() - started) / 1000, 3),
      p99Ratio: round(result.duringExport.p99Ms / result.idle.p99Ms),
      idleRssGrowthMb: idleRun.peakRssGrowthMb ?? 0,
      duringExportRssGrowthMb: exported.peakRssGrowthMb ?? 0,
    };
  } finally {
    client.kill();
  }
}

/** The floor's AES-GCM opens alone: the envelopes of the rep's rows read first, then opened. */
async function bareOpens(
  url: string,
  ciphers: AccountCiphers,
  accountId: string,
  sql: string,
  parameters: unknown[],
): Promise<Throughput> {
  const cipher = await ciphers.forAccount(accountId);
  const client = new Client({ connectionString: url });
  await client.connect();
  let rows: { id: string; custom: Record<string, string> }[];
  try {
    const result = await client.query<{ id: string; custom: string | null }>(
      `SELECT id, custom FROM (${sql}) AS exported`,
      parameters,
    );
    rows = result.rows.map((row) => ({
      id: row.id,
      custom: JSON.parse(row.custom ?? '{}') as Record<string, string>,
    }));
  } finally {
    await client.end();
  }
  // Each contact's values are under its own key: loaded before the clock starts (opens alone).
  await cipher.loadSubjectKeys(rows.map((row) => ({ kind: 'contact', id: row.id })));
  return measured(async () => {
    for (const row of rows) {
      for (const name of SENSITIVE) {
        const place = recordValuePlace('crm_contact', name, row.id);
        cipher.open(row.custom[name], place, place);
      }
    }
    return rows.length;
  });
}

/**
 * The floor of a sensitive export: the same SQL through a server cursor on a raw connection, the
 * three sealed values of each row opened with the account's cipher, the line joined.
 */
async function cursorFloor(
  url: string,
  ciphers: AccountCiphers,
  accountId: string,
  sql: string,
  parameters: unknown[],
): Promise<number> {
  const cipher = await ciphers.forAccount(accountId);
  const client = new Client({ connectionString: url });
  await client.connect();
  let rows = 0;
  try {
    await client.query('BEGIN');
    await client.query(`DECLARE floor_cursor NO SCROLL CURSOR FOR ${sql}`, parameters);
    // Pages as the source reads an export that opens values.
    const fetch = () =>
      client.query<Record<string, string | null>>(
        `FETCH ${SENSITIVE_EXPORT_BATCH_SIZE} FROM floor_cursor`,
      );
    // As the source does: the next page is fetched while this one is opened.
    let next = fetch();
    for (;;) {
      const page = await next;
      if (page.rows.length === 0) {
        break;
      }
      next = fetch();
      // A failure below must not leave the prefetch to reject unheard once the client ends.
      next.catch(() => undefined);
      // As the source does: the page's subject keys in one query, then the opens, then the keys
      // let go of.
      const subjects = page.rows.map((row) => ({ kind: 'contact', id: row.id! }));
      await cipher.loadSubjectKeys(subjects, { cache: false });
      for (const row of page.rows) {
        const custom = JSON.parse(row.custom ?? '{}') as Record<string, string>;
        const cells: ExportCell[] = [row.id, ...PLAIN.map((name) => row[name] ?? null)];
        for (const name of SENSITIVE) {
          const envelope = custom[name];
          const place = recordValuePlace('crm_contact', name, row.id!);
          cells.push(
            envelope === undefined
              ? null
              : (JSON.parse(cipher.open(envelope, place, place)) as string),
          );
        }
        csvLine(cells);
      }
      cipher.forgetSubjectKeys(subjects);
      rows += page.rows.length;
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return rows;
}

/**
 * Seals a value of each sensitive property into the contacts `ids` (the ones the rep exports: the
 * others are never opened), as the record store seals them; `admin` seals.
 */
async function sealSensitiveValues(
  app: Parameters<typeof seedDemoData>[0],
  admin: Actor,
  ids: readonly string[],
): Promise<number> {
  const started = now();
  const dataSource = app.get(DataSource);
  await app.get(RequestContext).runAs(admin, async () => {
    const schema = await app.get(PropertySchemaService).schema('contacts');
    const sensitive = (await app.get(CrmAccessService).sensitiveFields(schema))!;
    for (let start = 0; start < ids.length; start += SEAL_BATCH) {
      const batch = ids.slice(start, start + SEAL_BATCH);
      // Each contact's values are sealed under its own key, created here as a write creates it.
      await sensitive.prepareSealing(batch, dataSource.manager);
      const values = batch.map((id, i) =>
        JSON.stringify(
          Object.fromEntries(
            SENSITIVE.map((name, n) => [
              name,
              sensitive.sealAt(
                recordValuePlace('crm_contact', name, id),
                `${name}-${start + i}-${n}-${id.slice(-6)}`,
              ),
            ]),
          ),
        ),
      );
      await dataSource.query(
        `UPDATE crm_contact c SET custom = (COALESCE(c.custom, '{}')::jsonb || v.sealed::jsonb)::text
           FROM (SELECT unnest($1::text[]) AS id, unnest($2::text[]) AS sealed) v
          WHERE c.id = v.id AND c.account_id = $3`,
        [batch, values, admin.accountId],
      );
    }
  });
  await dataSource.query('VACUUM (ANALYZE) crm_contact');
  return round((now() - started) / 1000, 1);
}

async function setUp(
  kind: DatabaseKind,
  http: HttpClient,
  dataSource: DataSource,
  accountId: string,
): Promise<{ repId: string; teamShare: number }> {
  const token = await signIn(http);
  const expect = async <T>(status: number, response: Promise<{ status: number; body: T }>) => {
    const { status: got, body } = await response;
    if (got !== status) {
      throw new Error(`set-up: expected ${status}, got ${got}: ${JSON.stringify(body)}`);
    }
    return body;
  };
  const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
  const teams = await dataSource.query<{ id: string }[]>(
    `SELECT id FROM identity_team WHERE account_id = ${p(1)} ORDER BY name`,
    [accountId],
  );
  const shares: { id: string; share: number }[] = [];
  const [{ total }] = await dataSource.query<{ total: string | number }[]>(
    `SELECT COUNT(*) AS total FROM crm_contact WHERE account_id = ${p(1)}`,
    [accountId],
  );
  for (const team of teams) {
    const [{ owned }] = await dataSource.query<{ owned: string | number }[]>(
      `SELECT COUNT(*) AS owned FROM crm_contact WHERE account_id = ${p(1)} AND owner_id IN (SELECT user_id FROM identity_team_member WHERE team_id = ${p(2)})`,
      [accountId, team.id],
    );
    shares.push({ id: team.id, share: Number(owned) / Number(total) });
  }
  shares.sort(
    (a, b) => Math.abs(a.share - TARGET_TEAM_SHARE) - Math.abs(b.share - TARGET_TEAM_SHARE),
  );
  const team = shares[0];
  const rep = await expect<{ id: string }>(
    201,
    http.post(
      '/api/v1/users',
      { email: REP_EMAIL, displayName: 'Export rep', password: REP_PASSWORD, teamIds: [team.id] },
      token,
    ),
  );
  // The invitation is accepted at the first sign-in.
  await expect(200, http.post('/api/v1/auth/login', { email: REP_EMAIL, password: REP_PASSWORD }));
  const role = await expect<{ id: string }>(
    201,
    http.post(
      '/api/v1/roles',
      {
        name: 'Bench: team exporter',
        privileges: ['read', 'export'].map((action) => ({
          objectType: 'contacts',
          action,
          level: 'team',
        })),
        taskPrivileges: [],
      },
      token,
    ),
  );
  await expect(
    201,
    http.post(
      `/api/v1/roles/${role.id}/assignments`,
      { principalType: 'user', principalId: rep.id },
      token,
    ),
  );
  await expect(
    201,
    http.post(
      '/api/v1/record-rules',
      {
        name: 'Bench: European contacts only',
        objectType: 'contacts',
        actions: ['read', 'export'],
        effect: 'restrict',
        roleId: role.id,
        condition: { country: { $in: ROLE_COUNTRIES } },
      },
      token,
    ),
  );
  for (const name of ['phone', 'birthdate']) {
    await expect(
      200,
      http.put(
        `/api/v1/properties/contacts/${name}/permissions`,
        { view: [{ type: 'super_admins' }], edit: [] },
        token,
      ),
    );
  }
  if (kind === 'postgres') {
    await expect(
      200,
      http.post(
        '/api/v1/settings/sensitive-data/enable',
        {
          categories: ['health_data', 'government_identifiers', 'financial_data'],
          acceptTerms: true,
        },
        token,
      ),
    );
    for (const name of SENSITIVE) {
      await expect(
        201,
        http.post(
          '/api/v1/properties/contacts',
          { name, label: name, type: 'string', sensitivity: {} },
          token,
        ),
      );
    }
  }
  return { repId: rep.id, teamShare: round(team.share, 4) };
}
