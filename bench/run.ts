/**
 * `npm run bench [-- --contacts N[,N…] --iterations N --only sqlite|postgres --bench crm-search|access|crypto|delegation|files|jobs|request|export-writers|exports|scim|consent|mailings|subject-keys|privacy-erasure|privacy-lookup|privacy-packages|privacy-retention
 * --crypto-insert-contacts N --crypto-search-contacts N --delegation-users N --files-megabytes N --jobs-count N --rows N --scim-users N
 * --consent-events N --audience-contacts N --mailing-contacts N --erasure-contacts N --erasure-subjects N --lookup-contacts N --package-contacts N --package-history N --package-runs N --retention-contacts N --retention-candidates N --exports-steps all|plaintext]`:
 * runs the benchmarks and prints one JSON document, also written to bench/results/latest.json (not
 * committed).
 *
 * - `crmSearch` (bench/crm-search.ts): lists, searches, counts and a read by id through the HTTP
 *   API as a super admin and as a restricted user, with the server's CPU per request, vs the same
 *   queries in SQL, at each size of `--contacts` (a comma-separated list), on SQLite and on PostgreSQL (at `CUSTOS_TEST_POSTGRES_URL`, default
 *   postgres://postgres@127.0.0.1:5432/postgres; unreachable → `{ "skipped": reason }`).
 * - `access` (bench/access.ts): the cost of access control: a scoped search vs the super admin's,
 *   `can()` checks per second, ability build times, the delay before a role change is seen, and
 *   memory at two data sizes; per database as above, `canChecks` once.
 * - `crypto` (bench/crypto.ts): what sensitive properties cost: inserts (`--crypto-insert-contacts`
 *   per kind, default 10,000) and a page read with and without decryption, equality search by an
 *   encrypted value over `--crypto-search-contacts` contacts (default 1,000,000); per database as
 *   above, the raw `@custos/crypto` primitives once.
 * - `delegation` (bench/delegation.ts): an administrative change with the delegation check (as a
 *   delegated admin) vs the same change by a super admin in person (exempt), on an account of
 *   `--delegation-users` members (default 1,000); per database as above.
 * - `files` (bench/files.ts): `FileStore` write/read MB/s of one `--files-megabytes` file (default
 *   50), local disk and S3-compatible (s3rver in process) vs raw `fs` on the same disk; no database.
 * - `jobs` (bench/jobs.ts): no-op job throughput (`--jobs-count`, default 5,000) and enqueue→start
 *   latency at concurrency 10, the embedded backend per database as above vs BullMQ on Redis
 *   (`CUSTOS_TEST_REDIS_URL`; unreachable → skipped), with the ratio to the anchor (BullMQ ≈
 *   2,000 jobs/s), and whether a CPU-heavy handler keeps BullMQ's lock.
 * - `request` (bench/request-cost.ts): the server CPU of one trivial request (`GET /health/live`,
 *   `GET /me`, one record by id) read from `/proc/<pid>/stat` of the server run as a child process,
 *   with latency, against a bare `node:http` child in the same run; `--request-count` requests
 *   per route and round (default 2,000), 3 rounds; per database as above.
 * - `exportWriters` (bench/export-writers.ts): CSV and XLSX rows/s of `@custos/exports`' streaming
 *   writers on `--rows` generated rows of 8 typed columns (default 1,000,000), to a discarding sink
 *   and to a file, with peak RSS growth, against a JSON (and JSON + deflate) baseline in the same
 *   run; no database.
 * - `exports` (bench/exports.ts): the CRM's records export source for a team-level user with record
 *   rules and field restrictions, rows/s and peak RSS, vs `COPY … TO STDOUT` of its own SQL, and with
 *   three sensitive properties vs a cursor-plus-decrypt floor (PostgreSQL); at `--contacts` if
 *   given, else 1,000,000; per database as above. `--exports-steps plaintext`: only the plaintext
 *   exports and SQLite's statement floors.
 * - `scim` (bench/scim.ts): SCIM 2.0 provisioning over HTTP: a full sync of `--scim-users` creates
 *   (default 10,000) in records/s vs the REST API's user creation, `GET /Groups` over 1,000 groups
 *   vs the same reads in SQL, and a group PATCH adding and removing 1,000 members; per database.
 * - `consent` (bench/consent.ts): one consent event appended by `@custos/consent` (chain head
 *   lock, hash, event, materialised state, signed head) and one recorded by staff (plus port check
 *   and audit), p50/p95 in ms over `--consent-events` events (default 2,000), vs a bare INSERT of
 *   an equally wide row in the same run; per database as above. With it, on PostgreSQL only,
 *   `audience` (bench/consent-audience.ts): the marketing audience counted by the CRM's code path
 *   vs the same count hand-written in SQL, over `--audience-contacts` contacts (default 1,000,000)
 *   with consent states of about five events per contact and purpose (3 purposes), p50/p95 and
 *   the ratio, with both EXPLAINs.
 *
 * - `mailings` (bench/mailings.ts): a mass mailing into the outbox, recipients/s from the send
 *   to `sent` over `--mailing-contacts` demo contacts (default 20,000), vs multi-row INSERTs into
 *   the outbox table and vs `MailOutbox.enqueueMany` of as many mails, in
 *   transactions of the same batch size in the same run; per database as above.
 * - `privacyLookup` (bench/privacy-lookup.ts): the subject lookup by email through the API at
 *   `--lookup-contacts` contacts (default 1,000,000) plus history, consent and export logs, p50/p95,
 *   vs the generated statements run directly and the same probes as one hand-written SQL statement,
 *   with the EXPLAIN of the page statement; PostgreSQL only.
 *
 * - `privacyPackages` (bench/privacy-packages.ts): the access package of a subject with
 *   `--package-history` history entries (default 10,000) among `--package-contacts` demo contacts
 *   (default 10,000), built by the server's job `--package-runs` times (default 3), vs the same
 *   rows read by hand-written SQL and zipped with the same writer in the same run; per database.
 *
 * - `privacyRetention` (bench/privacy-retention.ts): a retention policy's dry run and run over
 *   `--retention-candidates` lapsed contacts (default 2,000) among `--retention-contacts` (default
 *   100,000), rows/s, vs the same count and delete written by hand in SQL in the same run; per
 *   database.
 *
 * - `subjectKeys` (bench/subject-keys.ts): a page of 50 contacts whose sensitive values are sealed
 *   under per-subject keys (crypto-shredding) vs a page sealed under the account key alone, read
 *   alternately through the API in the same run (`--iterations`, `--warmup`), the ratio of the
 *   medians; per database as above.
 *
 * Scratch databases are made with `createTestDatabase` and dropped at the end. The machine's
 * load average is reported before and after: figures from a busy machine are noisy.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { TEST_POSTGRES_URL, TEST_REDIS_URL, type DatabaseKind } from '@custos/core/testing';
import {
  benchAccess,
  benchCanChecks,
  type AccessDatabaseResult,
  type CanChecksResult,
} from './access';
import { benchCrmSearch, type CrmSearchOptions, type CrmSearchResult } from './crm-search';
import { benchConsent, type ConsentResult } from './consent';
import { benchConsentAudience, type ConsentAudienceResult } from './consent-audience';
import { benchMailings, type MailingsResult } from './mailings';
import { benchPrivacyErasure, type ErasureResult } from './privacy-erasure';
import { benchPrivacyLookup, type PrivacyLookupResult } from './privacy-lookup';
import { benchPrivacyPackages, type PackageBenchResult } from './privacy-packages';
import { benchPrivacyRetention, type RetentionBenchResult } from './privacy-retention';
import { benchDelegation, type DelegationResult } from './delegation';
import { benchExports, type ExportsResult } from './exports';
import { benchExportWriters, type ExportWritersResult } from './export-writers';
import { benchFiles, type FilesResult } from './files';
import { benchJobs, type JobBackendKind, type JobsBackendResult } from './jobs';
import { benchRequestCost, type RequestCostResult } from './request-cost';
import { benchScim, type ScimResult } from './scim';
import { benchSubjectKeys, type SubjectKeysResult } from './subject-keys';
import {
  benchCrypto,
  benchCryptoPrimitives,
  type CryptoBenchOptions,
  type CryptoDatabaseResult,
  type PrimitivesResult,
} from './crypto';

const BENCHMARKS = [
  'crm-search',
  'access',
  'crypto',
  'delegation',
  'files',
  'jobs',
  'request',
  'export-writers',
  'exports',
  'scim',
  'consent',
  'mailings',
  'subject-keys',
  'privacy-erasure',
  'privacy-lookup',
  'privacy-packages',
  'privacy-retention',
] as const;
type Benchmark = (typeof BENCHMARKS)[number];

interface Options
  extends CrmSearchOptions, Pick<CryptoBenchOptions, 'insertContacts' | 'searchContacts'> {
  delegationUsers: number;
  filesMegabytes: number;
  jobsCount: number;
  requestCount: number;
  rows: number;
  scimUsers: number;
  consentEvents: number;
  audienceContacts: number;
  mailingContacts: number;
  erasureContacts: number;
  erasureSubjects: number;
  lookupContacts: number;
  packageContacts: number;
  packageHistory: number;
  packageRuns: number;
  retentionContacts: number;
  retentionCandidates: number;
  only?: DatabaseKind;
  bench?: Benchmark;
  /** Whether `--contacts` was given (bench/exports defaults to 1,000,000 otherwise). */
  contactsGiven?: boolean;
  /** bench/exports: every step, or only the plaintext exports and their floors. */
  exportsSteps?: 'all' | 'plaintext';
}

function parseArguments(argv: readonly string[]): Options {
  const usage =
    'Usage: npm run bench -- [--contacts N[,N…]] [--iterations N] [--warmup N] [--only sqlite|postgres] [--bench crm-search|access|crypto|delegation|files|jobs|request|export-writers|exports|scim|consent|mailings|subject-keys|privacy-erasure|privacy-lookup|privacy-packages|privacy-retention] [--crypto-insert-contacts N] [--crypto-search-contacts N] [--delegation-users N] [--files-megabytes N] [--jobs-count N] [--request-count N] [--rows N] [--scim-users N] [--consent-events N] [--audience-contacts N] [--mailing-contacts N] [--erasure-contacts N] [--erasure-subjects N] [--lookup-contacts N] [--package-contacts N] [--package-history N] [--package-runs N] [--retention-contacts N] [--retention-candidates N] [--exports-steps all|plaintext]';
  const options: Options = {
    contacts: 100_000,
    iterations: 200,
    warmup: 20,
    insertContacts: 10_000,
    searchContacts: 1_000_000,
    delegationUsers: 1_000,
    filesMegabytes: 50,
    jobsCount: 5_000,
    requestCount: 2_000,
    rows: 1_000_000,
    scimUsers: 10_000,
    consentEvents: 2_000,
    audienceContacts: 1_000_000,
    mailingContacts: 20_000,
    erasureContacts: 20_000,
    packageContacts: 10_000,
    packageHistory: 10_000,
    packageRuns: 3,
    erasureSubjects: 20,
    lookupContacts: 1_000_000,
    retentionContacts: 100_000,
    retentionCandidates: 2_000,
  };
  const numeric = {
    contacts: 'contacts',
    iterations: 'iterations',
    warmup: 'warmup',
    'crypto-insert-contacts': 'insertContacts',
    'crypto-search-contacts': 'searchContacts',
    'delegation-users': 'delegationUsers',
    'files-megabytes': 'filesMegabytes',
    'jobs-count': 'jobsCount',
    'request-count': 'requestCount',
    rows: 'rows',
    'scim-users': 'scimUsers',
    'consent-events': 'consentEvents',
    'audience-contacts': 'audienceContacts',
    'mailing-contacts': 'mailingContacts',
    'erasure-contacts': 'erasureContacts',
    'package-contacts': 'packageContacts',
    'package-history': 'packageHistory',
    'package-runs': 'packageRuns',
    'erasure-subjects': 'erasureSubjects',
    'lookup-contacts': 'lookupContacts',
    'retention-contacts': 'retentionContacts',
    'retention-candidates': 'retentionCandidates',
  } as const;
  for (let i = 0; i < argv.length; i++) {
    const match =
      /^--(contacts|iterations|warmup|only|bench|crypto-insert-contacts|crypto-search-contacts|delegation-users|files-megabytes|jobs-count|request-count|rows|scim-users|consent-events|audience-contacts|mailing-contacts|erasure-contacts|erasure-subjects|lookup-contacts|package-contacts|package-history|package-runs|retention-contacts|retention-candidates|exports-steps)(?:=(.*))?$/.exec(
        argv[i],
      );
    const value = match ? (match[2] ?? argv[++i]) : undefined;
    if (!match || value === undefined) {
      throw new Error(usage);
    }
    if (match[1] === 'only') {
      if (value !== 'sqlite' && value !== 'postgres') {
        throw new Error(usage);
      }
      options.only = value;
    } else if (match[1] === 'exports-steps') {
      if (value !== 'all' && value !== 'plaintext') {
        throw new Error(usage);
      }
      options.exportsSteps = value;
    } else if (match[1] === 'bench') {
      if (!BENCHMARKS.includes(value as Benchmark)) {
        throw new Error(usage);
      }
      options.bench = value as Benchmark;
    } else if (match[1] === 'contacts' && value.includes(',')) {
      options.contactsGiven = true;
      // A list: crm-search measures each size; the other benchmarks use the first.
      const sizes = value.split(',').map(Number);
      if (!sizes.every((n) => Number.isSafeInteger(n) && n >= 1)) {
        throw new Error(`--contacts needs whole numbers. ${usage}`);
      }
      options.contacts = sizes[0];
      options.contactSizes = sizes;
    } else {
      const number = Number(value);
      if (!Number.isSafeInteger(number) || number < (match[1] === 'warmup' ? 0 : 1)) {
        throw new Error(`--${match[1]} needs a whole number. ${usage}`);
      }
      options[numeric[match[1] as keyof typeof numeric]] = number;
      options.contactsGiven ||= match[1] === 'contacts';
    }
  }
  return options;
}

async function postgresUnreachable(): Promise<string | undefined> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return `PostgreSQL unreachable at ${TEST_POSTGRES_URL.replace(/\/\/[^@]*@/, '//…@')}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisUnreachable(): Promise<string | undefined> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported by connect() below
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis unreachable: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = loadavg();
  const kinds = (['sqlite', 'postgres'] as const).filter(
    (k) => !options.only || options.only === k,
  );
  const runs = (bench: Benchmark) => !options.bench || options.bench === bench;
  const unreachable = new Map<DatabaseKind, string | undefined>();
  for (const kind of kinds) {
    unreachable.set(kind, kind === 'postgres' ? await postgresUnreachable() : undefined);
  }
  type Skipped = { skipped: string };
  // First, before any database work of the benchmarks (CPU only, most sensitive to load).
  let canChecks: CanChecksResult | undefined;
  if (runs('access')) {
    process.stderr.write('access: can() checks…\n');
    canChecks = benchCanChecks();
  }
  let cryptoPrimitives: PrimitivesResult | undefined;
  if (runs('crypto')) {
    process.stderr.write('crypto: primitives…\n');
    cryptoPrimitives = benchCryptoPrimitives();
  }
  let crmSearch: Partial<Record<DatabaseKind, CrmSearchResult | Skipped>> | undefined;
  if (runs('crm-search')) {
    crmSearch = {};
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      crmSearch[kind] = skipped ? { skipped } : await benchCrmSearch(kind, options);
    }
  }
  let access:
    | ({ canChecks: CanChecksResult } & Partial<
        Record<DatabaseKind, AccessDatabaseResult | Skipped>
      >)
    | undefined;
  if (canChecks) {
    access = { canChecks };
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      access[kind] = skipped ? { skipped } : await benchAccess(kind, options);
    }
  }
  let crypto:
    | ({ primitives: PrimitivesResult } & Partial<
        Record<DatabaseKind, CryptoDatabaseResult | Skipped>
      >)
    | undefined;
  if (cryptoPrimitives) {
    crypto = { primitives: cryptoPrimitives };
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      crypto[kind] = skipped ? { skipped } : await benchCrypto(kind, options);
    }
  }
  let delegation: Partial<Record<DatabaseKind, DelegationResult | Skipped>> | undefined;
  if (runs('delegation')) {
    delegation = {};
    for (const kind of kinds) {
      process.stderr.write(`delegation on ${kind}: ${options.delegationUsers} users…\n`);
      const skipped = unreachable.get(kind);
      delegation[kind] = skipped
        ? { skipped }
        : await benchDelegation(kind, {
            users: options.delegationUsers,
            iterations: Math.min(options.iterations, 50),
            warmup: Math.min(options.warmup, 5),
          });
    }
  }
  let files: FilesResult | undefined;
  if (runs('files')) {
    process.stderr.write(`files: ${options.filesMegabytes} MB, disk vs S3-compatible vs fs…\n`);
    files = await benchFiles({ megabytes: options.filesMegabytes, runs: 3 });
  }
  let jobs: Partial<Record<JobBackendKind, JobsBackendResult | Skipped>> | undefined;
  if (runs('jobs')) {
    jobs = {};
    const redisSkipped = await redisUnreachable();
    for (const kind of [...kinds, 'bullmq'] as const) {
      process.stderr.write(`jobs on ${kind}: ${options.jobsCount} no-op jobs…\n`);
      const skipped = kind === 'bullmq' ? redisSkipped : unreachable.get(kind);
      jobs[kind] = skipped
        ? { skipped }
        : await benchJobs(kind, { jobs: options.jobsCount, samples: 50 });
    }
  }
  let request: Partial<Record<DatabaseKind, RequestCostResult | Skipped>> | undefined;
  if (runs('request')) {
    request = {};
    for (const kind of kinds) {
      process.stderr.write(`request on ${kind}: ${options.requestCount} requests per route…\n`);
      const skipped = unreachable.get(kind);
      request[kind] = skipped
        ? { skipped }
        : await benchRequestCost(kind, {
            requests: options.requestCount,
            rounds: 3,
            warmup: Math.min(options.requestCount, 500),
          });
    }
  }
  let exportWriters: ExportWritersResult | undefined;
  if (runs('export-writers')) {
    exportWriters = await benchExportWriters({ rows: options.rows });
  }
  let exports: Partial<Record<DatabaseKind, ExportsResult | Skipped>> | undefined;
  if (runs('exports')) {
    exports = {};
    const contacts = options.contactsGiven ? options.contacts : 1_000_000;
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      exports[kind] = skipped
        ? { skipped }
        : await benchExports(kind, { contacts, steps: options.exportsSteps });
    }
  }
  let scim: Partial<Record<DatabaseKind, ScimResult | Skipped>> | undefined;
  if (runs('scim')) {
    scim = {};
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      scim[kind] = skipped
        ? { skipped }
        : await benchScim(kind, {
            users: options.scimUsers,
            iterations: Math.min(options.iterations, 30),
          });
    }
  }
  let consent:
    | (Partial<Record<DatabaseKind, ConsentResult | Skipped>> & {
        audience?: ConsentAudienceResult | Skipped;
      })
    | undefined;
  if (runs('consent')) {
    consent = {};
    for (const kind of kinds) {
      process.stderr.write(`consent on ${kind}: ${options.consentEvents} events…\n`);
      const skipped = unreachable.get(kind);
      consent[kind] = skipped
        ? { skipped }
        : await benchConsent(kind, { events: options.consentEvents });
    }
    if (kinds.includes('postgres')) {
      const skipped = unreachable.get('postgres');
      // The audience benchmark is PostgreSQL's (the equality tests cover SQLite).
      consent.audience = skipped
        ? { skipped }
        : await benchConsentAudience('postgres', { contacts: options.audienceContacts });
    }
  }
  let subjectKeys: Partial<Record<DatabaseKind, SubjectKeysResult | Skipped>> | undefined;
  if (runs('subject-keys')) {
    subjectKeys = {};
    for (const kind of kinds) {
      process.stderr.write(`subject-keys on ${kind}: pages of 50 contacts…\n`);
      const skipped = unreachable.get(kind);
      subjectKeys[kind] = skipped
        ? { skipped }
        : await benchSubjectKeys(kind, { iterations: options.iterations, warmup: options.warmup });
    }
  }
  let mailings: Partial<Record<DatabaseKind, MailingsResult | Skipped>> | undefined;
  if (runs('mailings')) {
    mailings = {};
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      mailings[kind] = skipped
        ? { skipped }
        : await benchMailings(kind, { contacts: options.mailingContacts });
    }
  }
  let privacyErasure: Partial<Record<DatabaseKind, ErasureResult | Skipped>> | undefined;
  if (runs('privacy-erasure')) {
    privacyErasure = {};
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      privacyErasure[kind] = skipped
        ? { skipped }
        : await benchPrivacyErasure(kind, {
            contacts: options.erasureContacts,
            subjects: options.erasureSubjects,
          });
    }
  }
  let privacyLookup: PrivacyLookupResult | Skipped | undefined;
  if (runs('privacy-lookup') && kinds.includes('postgres')) {
    const skipped = unreachable.get('postgres');
    privacyLookup = skipped
      ? { skipped }
      : await benchPrivacyLookup({
          contacts: options.lookupContacts,
          iterations: options.iterations,
        });
  }
  let privacyPackages: Partial<Record<DatabaseKind, PackageBenchResult | Skipped>> | undefined;
  if (runs('privacy-packages')) {
    privacyPackages = {};
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      privacyPackages[kind] = skipped
        ? { skipped }
        : await benchPrivacyPackages(kind, {
            contacts: options.packageContacts,
            history: options.packageHistory,
            runs: options.packageRuns,
          });
    }
  }
  let privacyRetention: Partial<Record<DatabaseKind, RetentionBenchResult | Skipped>> | undefined;
  if (runs('privacy-retention')) {
    privacyRetention = {};
    for (const kind of kinds) {
      const skipped = unreachable.get(kind);
      privacyRetention[kind] = skipped
        ? { skipped }
        : await benchPrivacyRetention(kind, {
            contacts: options.retentionContacts,
            candidates: options.retentionCandidates,
          });
    }
  }
  const round = (n: number) => Math.round(n * 100) / 100;
  const report = {
    ...(crmSearch ? { crmSearch } : {}),
    ...(access ? { access } : {}),
    ...(crypto ? { crypto } : {}),
    ...(delegation ? { delegation } : {}),
    ...(files ? { files } : {}),
    ...(jobs ? { jobs } : {}),
    ...(request ? { request } : {}),
    ...(exportWriters ? { exportWriters } : {}),
    ...(exports ? { exports } : {}),
    ...(scim ? { scim } : {}),
    ...(consent ? { consent } : {}),
    ...(mailings ? { mailings } : {}),
    ...(subjectKeys ? { subjectKeys } : {}),
    ...(privacyErasure ? { privacyErasure } : {}),
    ...(privacyLookup ? { privacyLookup } : {}),
    ...(privacyPackages ? { privacyPackages } : {}),
    ...(privacyRetention ? { privacyRetention } : {}),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageBefore: loadBefore.map(round),
      loadAverageAfter: loadavg().map(round),
    },
    finishedAt: new Date().toISOString(),
    seconds: round((Date.now() - started) / 1000),
  };
  const json = JSON.stringify(report, null, 2);
  const folder = join(__dirname, 'results');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'latest.json'), `${json}\n`);
  process.stdout.write(`${json}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
