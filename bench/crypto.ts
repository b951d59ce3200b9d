/**
 * bench/crypto: what sensitive properties (product spec §3) cost, each against a baseline measured
 * in the same run on the same server.
 *
 * Once, without a database (`primitives`): `@custos/crypto`'s `AccountCipher` on this machine, per
 * value of a typical size (a 22-character IBAN-like string, JSON-encoded as the CRM stores it):
 * AES-256-GCM `seal` and `open` (nonce, place-bound AAD, envelope encoding included), the
 * HMAC-SHA256 blind-index `token` (NFKC normalisation included), and `reseal` (open with the
 * old key version, seal with the new: the CPU work a key rotation does per value). Median of 5
 * runs of ≥ 0.3 s each.
 *
 * Per database (SQLite, PostgreSQL), on one `startBenchServer` (bench/crm-search):
 * 0. Setup over HTTP as the admin (a super admin): sensitive data enabled for the account, four
 *    sensitive custom string properties created with `sensitivity: {}` (`national_id`,
 *    `diagnosis`, `bank_account`, `private_email`) and three ordinary ones (`plain_national_id`,
 *    `plain_diagnosis`, `plain_bank_account`).
 * 1. `insert`: `insertContacts` contacts with the three sensitive properties vs as many with the
 *    three ordinary ones (same firstname, lastname, unique email and values otherwise), through
 *    the real write path: `RecordWriter.createMany` in chunks of 1,000 (one transaction each:
 *    validation, owner, unique email reservation, property history, one `record.created` audit
 *    event per record; sensitive values sealed in the record and in its history, and blind-index
 *    tokens written), as the admin (`RequestContext.runAs`). Chunks alternate between the two
 *    kinds (sensitive first in even pairs, ordinary first in odd ones), so load on the machine
 *    hits both alike.
 * 2. `read`: times, round-robin, `GET /api/v1/objects/contacts?limit=50&after=…&properties=…`
 *    over HTTP keep-alive as the admin: a page of 50 contacts made by one sensitive chunk,
 *    returning the three sensitive properties (150 values opened; the request also writes one
 *    `sensitive_data.viewed` audit event), vs a page of 50 ordinary contacts returning the three
 *    ordinary ones. For reference, without HTTP and without the audit event: `RecordReader.list`
 *    of the same pages in-process, and the audit event alone (`AuditService.record` of the same
 *    event, in a transaction).
 * 3. `rotation`: `POST /api/v1/settings/encryption/rotate`, then the status polled until the
 *    background job completes: values re-encrypted per second (the sensitive values of the
 *    inserted records and of their history). `primitives.reseal` is its CPU floor per value.
 * 4. `search`: tops the account up to `searchContacts` contacts, each new one with a
 *    `private_email` (and a different standard `email`), with the CRM's store function
 *    (`insertRecords` with the admin's `SensitiveFields`, 10,000 records per transaction: every
 *    value sealed, every token written; no history, audit events or unique-value reservations,
 *    as `npm run seed` does not write them either), then refreshes planner statistics (SQLite
 *    `ANALYZE`, PostgreSQL `VACUUM (ANALYZE)`), as bench/crm-search's seeder does. Then times,
 *    round-robin, a different address each time: `POST /api/v1/objects/contacts/search` with
 *    `private_email eq …` (through `crm_blind_index`, the candidate decrypted and compared)
 *    returning `private_email` (one value shown → one audit event), the same returning names only
 *    (no audit event), and the baseline: `email eq …` on the standard, indexed, clear column.
 *    Each must find exactly its one contact. The generated SQL of the sensitive search and its
 *    plan are reported.
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '@custos/audit';
import { RequestContext, TransactionHost, encodeCursor, newId, type Actor } from '@custos/core';
import type { DatabaseKind } from '@custos/core/testing';
import { AccountCipher } from '@custos/crypto';
import { Membership } from '@custos/identity';
import { CrmAccessService } from '../src/crm/records/crm-access.service';
import { PropertySchemaService } from '../src/crm/properties/property-schemas.service';
import { insertRecords, type StoredRecord } from '../src/crm/records/record-store';
import { RecordReader } from '../src/crm/records/record-reader.service';
import { RecordWriter } from '../src/crm/records/record-writer.service';
import { HttpClient, signIn, startBenchServer, type Timing } from './crm-search';

export interface CryptoBenchOptions {
  /** Contacts inserted per kind (sensitive, ordinary). */
  insertContacts: number;
  /** Contacts in the account for the equality search. */
  searchContacts: number;
  iterations: number;
  warmup: number;
}

const ADMIN_EMAIL = 'bench@example.com';
const INSERT_CHUNK = 1_000;
const SEED_TRANSACTION = 10_000;
const PAGE = 50;
const SENSITIVE = ['national_id', 'diagnosis', 'bank_account'] as const;
const ORDINARY = SENSITIVE.map((name) => `plain_${name}`);
const PRIVATE_EMAIL = 'private_email';
const RANDOM_SEED = 20_260_101;
/** Time limits of the timed loops (see `roundRobin`). */
const READ_BUDGET_SECONDS = 120;
const SEARCH_BUDGET_SECONDS = 90;

// ---------------------------------------------------------------------------------------------
// Results

export interface PrimitiveRate {
  /** Median of the runs, microseconds per value. */
  usPerValue: number;
  /** Values per second at that median. */
  opsPerSecond: number;
  /** The fastest run: the rate with the least interference from other processes. */
  bestRunOpsPerSecond: number;
}

export interface PrimitivesResult {
  /** Plaintext as sealed: a JSON-encoded string, as `SensitiveFields.seal` stores it. */
  plaintext: string;
  envelopeChars: number;
  /** `AccountCipher.seal`: AES-256-GCM, fresh nonce, AAD of the value's place, envelope. */
  seal: PrimitiveRate;
  /** `AccountCipher.open` of such envelopes (authenticated). */
  open: PrimitiveRate;
  /** `AccountCipher.token`: HMAC-SHA256 blind-index token (normalised, truncated to 64 bits). */
  token: PrimitiveRate;
  /** Open under key version 1, seal under version 2: a rotation's CPU work per value. */
  reseal: PrimitiveRate;
}

export interface CryptoDatabaseResult {
  database: DatabaseKind;
  insert: {
    contactsPerKind: number;
    chunk: number;
    /** Records per second over all chunks of each kind. */
    recordsPerSecond: { sensitive: number; ordinary: number };
    /** Time per chunk of 1,000 records. */
    chunk1000: { sensitive: Timing; ordinary: Timing };
    /** ordinary records/s ÷ sensitive records/s (the sensitive insert's slowdown). Target ≤ 1.5. */
    ratio: number;
    withinTarget: boolean;
    /** Rows written by the sensitive chunks' blind index (3 per contact). */
    blindIndexRows: number;
  };
  read: {
    /** Timed rounds (fewer than asked when the loop hit its time limit). */
    iterations: number;
    /** Both pages hold 50 contacts of their kind with all three values in clear. */
    correct: boolean;
    /** `sensitive_data.viewed` events written per sensitive HTTP read (must be 1). */
    auditEventsPerSensitiveRead: number;
    api: { sensitive: Timing; ordinary: Timing };
    /** sensitive / ordinary medians of whole requests (decryption and audit event included). Target ≤ 1.3. */
    ratio: number;
    ratioP95: number;
    withinTarget: boolean;
    /** For reference: `RecordReader.list` in-process (no HTTP, no audit event). */
    service: { sensitive: Timing; ordinary: Timing; ratio: number };
    /** For reference: the request's `sensitive_data.viewed` event alone, in its own transaction. */
    auditEventOnly: Timing;
    /**
     * For reference: what a request on a schema with sensitive properties loads on top of an
     * ordinary one: `CrmAccessService.sensitiveFields` (the account's keys and sensitive-data
     * state) timed with the schema it needs (`schemaLoad`, also timed alone).
     */
    keyLoad: Timing;
    schemaLoad: Timing;
  };
  rotation: RotationResult;
  search: {
    /** Contacts in the account, and those with a `private_email`. */
    contacts: number;
    withPrivateEmail: number;
    blindIndexRows: number;
    seed: { contacts: number; seconds: number; contactsPerSecond: number; analyzeSeconds: number };
    /** Timed rounds (fewer than asked when the loop hit its time limit). */
    iterations: number;
    /** Every timed search found exactly its contact (and `private_email` in clear where asked). */
    correct: boolean;
    api: {
      /** `private_email eq`, returning firstname, lastname and `private_email` (audit event). */
      sensitiveEq: Timing;
      /** `private_email eq`, returning firstname and lastname (no value shown, no audit event). */
      sensitiveEqNamesOnly: Timing;
      /** Baseline: `email eq` on the standard clear column (indexed), same properties shape. */
      plainEq: Timing;
    };
    /** Median of `sensitiveEq`. Target ≤ 20 ms. */
    medianMs: number;
    withinTarget: boolean;
    /** sensitiveEq / plainEq medians. */
    ratioVsPlain: number;
    generatedSql: { page: string; count: string };
    plans: { page: string[]; count: string[] };
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function timing(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    medianMs: round(sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2),
    p95Ms: round(sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]),
    meanMs: round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length),
    minMs: round(sorted[0]),
  };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = now();
  await work();
  return now() - start;
}

/** mulberry32, as scripts/seed.ts: reproducible values. */
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

const FIRST = ['Anna', 'Ben', 'Chloé', 'David', 'Elif', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jonas'];
const LAST = ['Müller', 'Smith', 'García', 'Rossi', 'Nowak', 'Dubois', 'Jensen', 'Silva', 'Kim'];
const DIAGNOSES = [
  'J45.909 Asthma, unspecified',
  'E11.9 Type 2 diabetes mellitus without complications',
  'I10 Essential (primary) hypertension',
  'F32.A Depression, unspecified',
  'M54.5 Low back pain',
];

function digits(random: () => number, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) {
    text += String((random() * 10) | 0);
  }
  return text;
}

/** The three values of a contact (national id, diagnosis, bank account). */
function sensitiveValues(random: () => number): [string, string, string] {
  return [
    `DE-${digits(random, 9)}`,
    DIAGNOSES[(random() * DIAGNOSES.length) | 0],
    `DE${digits(random, 20)}`,
  ];
}

const pick = <T>(random: () => number, values: readonly T[]) =>
  values[(random() * values.length) | 0];

// ---------------------------------------------------------------------------------------------
// Primitives (CPU only)

function rate(work: (count: number) => void, count: number): PrimitiveRate {
  work(Math.min(count, 2_000));
  const perRun: number[] = [];
  for (let run = 0; run < 5; run++) {
    let values = 0;
    const start = now();
    do {
      work(count);
      values += count;
    } while (now() - start < 300);
    perRun.push((now() - start) / values);
  }
  const sorted = [...perRun].sort((a, b) => a - b);
  const medianMs = sorted[2];
  return {
    usPerValue: round(medianMs * 1000, 2),
    opsPerSecond: Math.round(1000 / medianMs),
    bestRunOpsPerSecond: Math.round(1000 / sorted[0]),
  };
}

export function benchCryptoPrimitives(): PrimitivesResult {
  const accountId = newId();
  const v1 = createSecretKey(randomBytes(32));
  const v2 = createSecretKey(randomBytes(32));
  const indexKey = randomBytes(32);
  const before = new AccountCipher(
    accountId,
    { version: 1, key: v1 },
    new Map([[1, v1]]),
    indexKey,
  );
  const after = new AccountCipher(
    accountId,
    { version: 2, key: v2 },
    new Map([
      [1, v1],
      [2, v2],
    ]),
    indexKey,
  );
  const count = 10_000;
  const random = generator(RANDOM_SEED);
  const raw = Array.from({ length: count }, () => sensitiveValues(random)[2]);
  const plaintexts = raw.map((value) => JSON.stringify(value));
  const places = Array.from({ length: count }, () => ({
    table: 'crm_contact',
    column: 'bank_account',
    recordId: newId(),
  }));
  const envelopes = plaintexts.map((p, i) => before.seal(p, places[i]));
  if (after.open(envelopes[0], places[0]) !== plaintexts[0]) {
    throw new Error('a sealed value does not open to itself');
  }
  let sink = 0;
  const result: PrimitivesResult = {
    plaintext: plaintexts[0],
    envelopeChars: envelopes[0].length,
    seal: rate((n) => {
      for (let i = 0; i < n; i++) {
        sink += before.seal(plaintexts[i], places[i]).length;
      }
    }, count),
    open: rate((n) => {
      for (let i = 0; i < n; i++) {
        sink += before.open(envelopes[i], places[i]).length;
      }
    }, count),
    token: rate((n) => {
      for (let i = 0; i < n; i++) {
        sink += before.token('contacts.bank_account', raw[i]).length;
      }
    }, count),
    reseal: rate((n) => {
      for (let i = 0; i < n; i++) {
        sink += after.seal(after.open(envelopes[i], places[i]), places[i]).length;
      }
    }, count),
  };
  if (sink === 0) {
    throw new Error('nothing was computed');
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Per database

interface PageResponse {
  results: { id: string; properties: Record<string, unknown>; redacted: string[] }[];
}

interface SearchResponse {
  total: number;
  results: { id: string; properties: Record<string, unknown> }[];
}

export async function benchCrypto(
  kind: DatabaseKind,
  options: CryptoBenchOptions,
): Promise<CryptoDatabaseResult> {
  const server = await startBenchServer(kind);
  const { app } = server;
  // A new connection (and token) after each long phase without requests: the server closes idle
  // keep-alive connections, and access tokens expire.
  let http = new HttpClient(server.port);
  const reconnect = async () => {
    http.close();
    http = new HttpClient(server.port);
    return signIn(http);
  };
  try {
    const dataSource = app.get(DataSource);
    const context = app.get(RequestContext);
    const writer = app.get(RecordWriter);
    const reader = app.get(RecordReader);
    let token = await signIn(http);
    const ok = async <T>(response: Promise<{ status: number; body: T }>, what: string) => {
      const { status, body } = await response;
      if (status < 200 || status > 299) {
        throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
      }
      return body;
    };

    // --- 0. Setup, as an administrator would.
    await ok(
      http.post(
        '/api/v1/settings/sensitive-data/enable',
        {
          categories: ['health_data', 'financial_data', 'government_identifiers'],
          acceptTerms: true,
        },
        token,
      ),
      'enable sensitive data',
    );
    const property = (name: string, sensitive: boolean) =>
      ok(
        http.post(
          '/api/v1/properties/contacts',
          {
            name,
            label: name.replace(/_/g, ' '),
            type: 'string',
            ...(sensitive ? { sensitivity: {} } : {}),
          },
          token,
        ),
        `create property ${name}`,
      );
    for (const name of [...SENSITIVE, PRIVATE_EMAIL]) {
      await property(name, true);
    }
    for (const name of ORDINARY) {
      await property(name, false);
    }
    const membership = await dataSource
      .getRepository(Membership)
      .findOneByOrFail({ superAdmin: true, status: 'active' });
    const admin: Actor = {
      kind: 'user',
      id: membership.userId,
      accountId: membership.accountId,
      userId: membership.userId,
      label: ADMIN_EMAIL,
      superAdmin: true,
    };
    const asAdmin = <T>(work: () => Promise<T>) => context.runAs(admin, work);

    // --- 1. Inserts through RecordWriter.createMany.
    process.stderr.write(`crypto on ${kind}: inserting 2 × ${options.insertContacts} contacts…\n`);
    const random = generator(RANDOM_SEED);
    let serial = 0;
    const inputs = (count: number, names: readonly string[]) =>
      Array.from({ length: count }, () => {
        const values = sensitiveValues(random);
        serial++;
        return {
          firstname: pick(random, FIRST),
          lastname: pick(random, LAST),
          email: `insert.${serial}@example.com`,
          ...Object.fromEntries(names.map((name, i) => [name, values[i]])),
        };
      });
    const chunkSamples = { sensitive: [] as number[], ordinary: [] as number[] };
    const chunkIds = { sensitive: [] as string[][], ordinary: [] as string[][] };
    // For each chunk, the greatest id made before it: `after` for a page of that chunk.
    const cursorBefore = {
      sensitive: [] as (string | undefined)[],
      ordinary: [] as (string | undefined)[],
    };
    let greatestId: string | undefined;
    const insertChunk = async (which: 'sensitive' | 'ordinary', count: number) => {
      const batch = inputs(count, which === 'sensitive' ? SENSITIVE : ORDINARY);
      cursorBefore[which].push(greatestId);
      let ids: string[] = [];
      chunkSamples[which].push(
        await timed(async () => {
          const created = await asAdmin(() =>
            writer.createMany('contacts', batch, 'api', (i) => `inputs[${i}].properties`),
          );
          ids = created.records.map((r) => r.id);
        }),
      );
      chunkIds[which].push(ids);
      const sorted = [...ids].sort();
      greatestId = sorted[sorted.length - 1];
    };
    for (let done = 0, pair = 0; done < options.insertContacts; pair++) {
      const count = Math.min(INSERT_CHUNK, options.insertContacts - done);
      const order =
        pair % 2 === 0
          ? (['sensitive', 'ordinary'] as const)
          : (['ordinary', 'sensitive'] as const);
      for (const which of order) {
        await insertChunk(which, count);
      }
      done += count;
    }
    const perSecond = (samples: number[]) =>
      Math.round(options.insertContacts / (samples.reduce((sum, v) => sum + v, 0) / 1000));
    const insertRates = {
      sensitive: perSecond(chunkSamples.sensitive),
      ordinary: perSecond(chunkSamples.ordinary),
    };
    const insertRatio = round(insertRates.ordinary / insertRates.sensitive, 2);
    const count = async (sql: string) =>
      Number((await dataSource.query<{ n: string | number }[]>(sql))[0].n);

    // --- 2. A page of 50: opened vs ordinary.
    process.stderr.write(`crypto on ${kind}: reading pages…\n`);
    token = await reconnect();
    const chunkIndex = chunkIds.sensitive.findIndex(
      (ids, i) => ids.length >= PAGE && i >= chunkIds.sensitive.length >> 1,
    );
    const pageOf = (which: 'sensitive' | 'ordinary') => {
      const index =
        chunkIndex >= 0 ? chunkIndex : chunkIds[which].findIndex((ids) => ids.length >= PAGE);
      if (index < 0) {
        throw new Error(`--crypto-insert-contacts must be at least ${PAGE}`);
      }
      const after = cursorBefore[which][index];
      const names = which === 'sensitive' ? [...SENSITIVE] : ORDINARY;
      return {
        ids: new Set(chunkIds[which][index]),
        names,
        after,
        path: `/api/v1/objects/contacts?limit=${PAGE}&properties=${names.join(',')}${after ? `&after=${encodeCursor([after])}` : ''}`,
      };
    };
    const pages = { sensitive: pageOf('sensitive'), ordinary: pageOf('ordinary') };
    const checkPage = (which: 'sensitive' | 'ordinary', body: PageResponse) => {
      const page = pages[which];
      return (
        body.results.length === PAGE &&
        body.results.every(
          (r) =>
            page.ids.has(r.id) &&
            r.redacted.length === 0 &&
            page.names.every((name) => typeof r.properties[name] === 'string'),
        )
      );
    };
    let readCorrect = true;
    const viewedSql = `SELECT COUNT(*) AS n FROM audit_event WHERE action = 'sensitive_data.viewed'`;
    const viewedBefore = await count(viewedSql);
    let sensitiveReads = 0;
    const auditService = app.get(AuditService);
    const properties = app.get(PropertySchemaService);
    const crmAccess = app.get(CrmAccessService);
    const transactions = app.get(TransactionHost);
    const sensitivePageIds = [...pages.sensitive.ids].sort().slice(0, PAGE);
    const readRuns: Record<string, () => Promise<unknown>> = {
      apiSensitive: async () => {
        sensitiveReads++;
        const body = await ok(http.get<PageResponse>(pages.sensitive.path, token), 'read');
        readCorrect &&= checkPage('sensitive', body);
      },
      apiOrdinary: async () => {
        const body = await ok(http.get<PageResponse>(pages.ordinary.path, token), 'read');
        readCorrect &&= checkPage('ordinary', body);
      },
      serviceSensitive: () =>
        asAdmin(() =>
          reader.list('contacts', {
            limit: PAGE,
            after: pages.sensitive.after && encodeCursor([pages.sensitive.after]),
            properties: pages.sensitive.names,
          }),
        ),
      serviceOrdinary: () =>
        asAdmin(() =>
          reader.list('contacts', {
            limit: PAGE,
            after: pages.ordinary.after && encodeCursor([pages.ordinary.after]),
            properties: pages.ordinary.names,
          }),
        ),
      keysOnly: () =>
        asAdmin(async () => crmAccess.sensitiveFields(await properties.schema('contacts'))),
      schemaOnly: () => asAdmin(() => properties.schema('contacts')),
      auditOnly: () =>
        asAdmin(() =>
          transactions.run(() =>
            auditService.record({
              action: 'sensitive_data.viewed',
              targetType: 'contacts',
              targetId: `${PAGE} records`,
              metadata: { recordIds: sensitivePageIds, properties: [...SENSITIVE].sort() },
            }),
          ),
        ),
    };
    const readSamples = await roundRobin(readRuns, options, READ_BUDGET_SECONDS);
    const viewed = (await count(viewedSql)) - viewedBefore;
    // The audit-only runs write the same event, once per sensitive read: count the reads' share.
    const auditEventsPerSensitiveRead = round((viewed - sensitiveReads) / sensitiveReads, 2);
    const rt = (name: string) => timing(readSamples.get(name)!);
    const readApi = { sensitive: rt('apiSensitive'), ordinary: rt('apiOrdinary') };
    const readService = { sensitive: rt('serviceSensitive'), ordinary: rt('serviceOrdinary') };
    const readRatio = round(readApi.sensitive.medianMs / readApi.ordinary.medianMs, 2);

    // --- 3. Data-key rotation: every sealed value of the inserts (records and history) re-encrypted.
    token = await reconnect();
    const rotation = await measureRotation(http, token, ok);

    // --- 4. Equality search through the blind index.
    const existing = await count('SELECT COUNT(*) AS n FROM crm_contact');
    const toSeed = Math.max(0, options.searchContacts - existing);
    process.stderr.write(`crypto on ${kind}: seeding ${toSeed} contacts with ${PRIVATE_EMAIL}…\n`);
    const seedStart = now();
    const privateEmail = (i: number) => `private.${i}@example.org`;
    const plainEmail = (i: number) => `contact.${i}@example.com`;
    const seededIds: string[] = [];
    await asAdmin(async () => {
      const schema = await properties.schema('contacts');
      const sensitive = await crmAccess.sensitiveFields(schema);
      for (let start = 0; start < toSeed; start += SEED_TRANSACTION) {
        const at = new Date().toISOString();
        const batch: StoredRecord[] = [];
        for (let i = start; i < Math.min(toSeed, start + SEED_TRANSACTION); i++) {
          const id = newId();
          seededIds.push(id);
          batch.push({
            id,
            accountId: admin.accountId,
            ownerId: admin.userId,
            businessUnitId: membership.businessUnitId,
            createdAt: at,
            updatedAt: at,
            archivedAt: null,
            values: {
              firstname: pick(random, FIRST),
              lastname: pick(random, LAST),
              email: plainEmail(i),
              [PRIVATE_EMAIL]: privateEmail(i),
            },
            sealed: {},
          });
        }
        await transactions.run((manager) => insertRecords(manager, schema, batch, sensitive));
        if ((start / SEED_TRANSACTION) % 10 === 9) {
          process.stderr.write(`  ${start + batch.length} / ${toSeed}\n`);
        }
      }
    });
    const seedSeconds = (now() - seedStart) / 1000;
    const analyzeStart = now();
    if (kind === 'sqlite') {
      await dataSource.query('ANALYZE');
    } else {
      await dataSource.query('VACUUM (ANALYZE) crm_contact, crm_blind_index');
    }
    const analyzeSeconds = (now() - analyzeStart) / 1000;

    token = await reconnect();
    const searchRandom = generator(RANDOM_SEED + 1);
    const probes = Array.from(
      { length: options.warmup + options.iterations },
      () => (searchRandom() * toSeed) | 0,
    );
    const search = (propertyName: string, value: string, properties: string[]) =>
      ok(
        http.post<SearchResponse>(
          '/api/v1/objects/contacts/search',
          {
            filterGroups: [{ filters: [{ propertyName, operator: 'eq', value }] }],
            properties,
            limit: 10,
          },
          token,
        ),
        'search',
      );
    let searchCorrect = toSeed > 0;
    const found = (body: SearchResponse, i: number, shown?: string) =>
      body.total === 1 &&
      body.results.length === 1 &&
      body.results[0].id === seededIds[i] &&
      (shown === undefined || body.results[0].properties[PRIVATE_EMAIL] === shown);

    // The SQL of one sensitive search, from TypeORM's query log.
    const captured: { sql: string; parameters: unknown[] }[] = [];
    let explained = { page: '', count: '', pagePlan: [] as string[], countPlan: [] as string[] };
    if (toSeed > 0) {
      const logger = dataSource.logger;
      const logQuery = logger.logQuery.bind(logger);
      logger.logQuery = (sql, parameters, queryRunner): void => {
        captured.push({ sql, parameters: Array.isArray(parameters) ? parameters : [] });
        logQuery(sql, parameters, queryRunner);
      };
      await search(PRIVATE_EMAIL, privateEmail(probes[0]), ['firstname']);
      logger.logQuery = logQuery;
      const page = captured.find((q) => /crm_blind_index/.test(q.sql) && /ORDER BY/i.test(q.sql));
      const total = captured.find(
        (q) => /crm_blind_index/.test(q.sql) && /COUNT\(\*\)/i.test(q.sql),
      );
      if (!page || !total) {
        throw new Error(`could not find the search SQL among ${captured.length} queries`);
      }
      const explain = async (q: { sql: string; parameters: unknown[] }) =>
        kind === 'sqlite'
          ? (
              await dataSource.query<{ detail: string }[]>(
                `EXPLAIN QUERY PLAN ${q.sql}`,
                q.parameters,
              )
            ).map((row) => row.detail)
          : (
              await dataSource.query<{ 'QUERY PLAN': string }[]>(
                `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${q.sql}`,
                q.parameters,
              )
            ).map((row) => row['QUERY PLAN']);
      explained = {
        page: page.sql,
        count: total.sql,
        pagePlan: await explain(page),
        countPlan: await explain(total),
      };
    }
    process.stderr.write(`crypto on ${kind}: searching…\n`);
    let probe = 0;
    const searchRuns: Record<string, () => Promise<unknown>> = {
      sensitiveEq: async () => {
        const i = probes[probe];
        // Case and spaces differ from the stored value: equality is case-insensitive.
        const body = await search(PRIVATE_EMAIL, ` ${privateEmail(i).toUpperCase()} `, [
          'firstname',
          'lastname',
          PRIVATE_EMAIL,
        ]);
        searchCorrect &&= found(body, i, privateEmail(i));
      },
      sensitiveEqNamesOnly: async () => {
        const i = probes[(probe + 1) % probes.length];
        searchCorrect &&= found(
          await search(PRIVATE_EMAIL, privateEmail(i), ['firstname', 'lastname']),
          i,
        );
      },
      plainEq: async () => {
        const i = probes[(probe + 2) % probes.length];
        searchCorrect &&= found(
          await search('email', plainEmail(i), ['firstname', 'lastname', 'email']),
          i,
        );
        probe++;
      },
    };
    const searchSamples =
      toSeed > 0 ? await roundRobin(searchRuns, options, SEARCH_BUDGET_SECONDS) : undefined;
    const st = (name: string) => timing(searchSamples?.get(name) ?? [Number.NaN]);
    const searchApi = {
      sensitiveEq: st('sensitiveEq'),
      sensitiveEqNamesOnly: st('sensitiveEqNamesOnly'),
      plainEq: st('plainEq'),
    };

    return {
      database: kind,
      insert: {
        contactsPerKind: options.insertContacts,
        chunk: INSERT_CHUNK,
        recordsPerSecond: insertRates,
        chunk1000: {
          sensitive: timing(chunkSamples.sensitive),
          ordinary: timing(chunkSamples.ordinary),
        },
        ratio: insertRatio,
        withinTarget: insertRatio <= 1.5,
        blindIndexRows: options.insertContacts * SENSITIVE.length,
      },
      read: {
        iterations: readSamples.get('apiSensitive')!.length,
        correct: readCorrect,
        auditEventsPerSensitiveRead,
        api: readApi,
        ratio: readRatio,
        ratioP95: round(readApi.sensitive.p95Ms / readApi.ordinary.p95Ms, 2),
        withinTarget: readRatio <= 1.3,
        service: {
          ...readService,
          ratio: round(readService.sensitive.medianMs / readService.ordinary.medianMs, 2),
        },
        auditEventOnly: rt('auditOnly'),
        keyLoad: rt('keysOnly'),
        schemaLoad: rt('schemaOnly'),
      },
      rotation,
      search: {
        contacts: await count('SELECT COUNT(*) AS n FROM crm_contact'),
        withPrivateEmail: toSeed,
        blindIndexRows: await count('SELECT COUNT(*) AS n FROM crm_blind_index'),
        seed: {
          contacts: toSeed,
          seconds: round(seedSeconds, 1),
          contactsPerSecond: Math.round(toSeed / seedSeconds),
          analyzeSeconds: round(analyzeSeconds, 1),
        },
        iterations: searchSamples?.get('sensitiveEq')!.length ?? 0,
        correct: searchCorrect,
        api: searchApi,
        medianMs: searchApi.sensitiveEq.medianMs,
        withinTarget: searchApi.sensitiveEq.medianMs <= 20,
        ratioVsPlain: round(searchApi.sensitiveEq.medianMs / searchApi.plainEq.medianMs, 2),
        generatedSql: { page: explained.page, count: explained.count },
        plans: { page: explained.pagePlan, count: explained.countPlan },
      },
    };
  } finally {
    http.close();
    await server.close();
  }
}

export interface RotationResult {
  /** Values re-encrypted by the job (sensitive values of records and of their history). */
  values: number;
  /** From `POST …/encryption/rotate` until the status says completed (polled every 50 ms). */
  seconds: number;
  valuesPerSecond: number;
  /** `completed` (or `failed`). The job takes `CUSTOS_ROTATION_BATCH_SIZE` rows (500) per transaction. */
  status: string;
}

/** Starts a data-key rotation over HTTP and waits for the background job to complete. */
async function measureRotation(
  http: HttpClient,
  token: string,
  ok: <T>(response: Promise<{ status: number; body: T }>, what: string) => Promise<T>,
): Promise<RotationResult> {
  interface Status {
    rotation: { status: string; processed: number } | null;
  }
  const start = now();
  await ok(http.post('/api/v1/settings/encryption/rotate', {}, token), 'start a rotation');
  for (;;) {
    const status = await ok(http.get<Status>('/api/v1/settings/encryption', token), 'status');
    const rotation = status.rotation!;
    if (rotation.status === 'completed' || rotation.status === 'failed') {
      const seconds = (now() - start) / 1000;
      return {
        values: rotation.processed,
        seconds: round(seconds, 2),
        valuesPerSecond: Math.round(rotation.processed / seconds),
        status: rotation.status,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs each of `runs` once per round, warm-up rounds untimed; the samples by name. Stops early
 * after `budgetSeconds` once 10 timed rounds are done, so that a slow case does not hold up the
 * whole run (the number of samples is reported).
 */
async function roundRobin(
  runs: Record<string, () => Promise<unknown>>,
  options: { iterations: number; warmup: number },
  budgetSeconds: number,
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(Object.keys(runs).map((name) => [name, []]));
  const start = now();
  for (let i = 0; i < options.warmup + options.iterations; i++) {
    if (i >= options.warmup + 10 && now() - start > budgetSeconds * 1000) {
      break;
    }
    for (const [name, run] of Object.entries(runs)) {
      const ms = await timed(run);
      if (i >= options.warmup) {
        samples.get(name)!.push(ms);
      }
    }
  }
  return samples;
}
