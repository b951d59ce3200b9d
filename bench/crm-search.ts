/**
 * bench/crm-search: a CRM search through the HTTP API vs the same query hand-written in SQL, on
 * the same database in the same run.
 *
 * 1. Boots the real server (`AppModule.forRoot` + `configureApp`, as `main.ts` and the e2e tests
 *    do; request logging on, into a discarding sink) on a scratch database, listening on
 *    127.0.0.1 on an ephemeral port.
 * 2. Seeds the demo account with `seedDemoData` (scripts/seed.ts) and records its throughput.
 * 3. Signs in as the admin and times, round-robin so that load on the machine hits all alike:
 *    - `api.page50`: `POST /api/v1/objects/contacts/search` with `country eq 'DE'`, sorted by
 *      `lastname` ascending, limit 50 — over HTTP/1.1 keep-alive with node's `http`, including
 *      reading and parsing the JSON response. One request returns the page and the total.
 *    - `api.limit1`: the same search with limit 1: the cost of getting the total through the API.
 *    - `sql.page`: the page hand-written in SQL (same columns, `account_id`, `archived_at IS NULL`,
 *      `country = 'DE'`, `ORDER BY lastname ASC NULLS LAST, id`, `LIMIT 51`), prepared once, run
 *      with the raw driver on a separate connection (better-sqlite3 / pg).
 *    - `sql.count`: `SELECT COUNT(*)` with the same WHERE.
 *    - `sql.pageThenCount`: both, one after the other: the raw work behind one API request.
 *    - `generatedSql.page` / `generatedSql.count`: the SQL the server generated for the request
 *      (captured from TypeORM's query log), run with the raw driver: is the API's SQL as good as
 *      the hand-written one?
 *    - `overhead`: `GET /api/v1/health/live` (HTTP and middleware only) and the search with a
 *      country that matches nothing, vs its SQL: the fixed cost of an API search request.
 * 4. Checks that the API and the hand-written SQL return the same ids and total, and reports the
 *    query plans of both.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createLogger } from '@custos/core';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '@custos/core/testing';
import { InitialAccountService } from '@custos/identity';
import { AppModule } from '../src/app.module';
import { loadServerConfig } from '../src/config/server-config';
import { configureApp } from '../src/configure-app';
import { seedDemoData, type SeedResult } from '../scripts/seed';

const ADMIN_EMAIL = 'bench@example.com';
const ADMIN_PASSWORD = 'correct horse battery staple';

export interface CrmSearchOptions {
  contacts: number;
  iterations: number;
  warmup: number;
}

export interface Timing {
  medianMs: number;
  p95Ms: number;
  meanMs: number;
  minMs: number;
}

/** What one database reports; see the header of this file for what each timing measures. */
export interface CrmSearchResult {
  database: DatabaseKind;
  seed: SeedResult;
  query: { filter: string; sort: string; limit: number; matching: number };
  sameResult: boolean;
  iterations: number;
  api: { page50: Timing; limit1: Timing };
  sql: { page: Timing; count: Timing; pageThenCount: Timing };
  generatedSql: { page: Timing; count: Timing; text: { page: string; count: string } };
  /** Where the API's own time goes, measured when the SQL has (almost) nothing to do. */
  overhead: {
    /** `GET /api/v1/health/live`: HTTP, Express, middleware (helmet, request logging), Nest; no auth, no SQL. */
    liveRequest: Timing;
    /** The search with `country eq 'XX'` (no match): HTTP, auth, validation, access rules, SQL building. */
    searchNoMatch: Timing;
    /** Its page and count SQL with the raw driver (index probes that find nothing). */
    sqlNoMatchPageThenCount: Timing;
    /** searchNoMatch − sqlNoMatchPageThenCount (medians): the fixed cost of a search request. */
    searchOverheadMs: number;
  };
  ratios: {
    /** api.page50 / sql.pageThenCount: the whole request vs the raw SQL of the same work. Target ≤ 1.5. */
    pageRatio: number;
    /** api.limit1 / sql.count: the total through the API (with HTTP, auth, a 1-row page) vs raw COUNT(*). Target ≤ 1.5. */
    countRatio: number;
    /** api.page50 / sql.page: the request (page and total) vs the page SQL alone; for reference. */
    requestVsPageSqlOnly: number;
    /** generatedSql.page / sql.page and generatedSql.count / sql.count: the server's SQL vs hand-written. */
    generatedPageSqlRatio: number;
    generatedCountSqlRatio: number;
  };
  plans: { page: string[]; count: string[]; generatedPage: string[]; generatedCount: string[] };
}

/** A raw connection to the bench database, outside the server. */
interface RawSql {
  /** Runs `sql`; the statement is prepared once per text. */
  query(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]>;
  explain(sql: string, parameters: unknown[]): Promise<string[]>;
  close(): Promise<void>;
}

function sqliteRaw(file: string): RawSql {
  // Same defaults as the server's connection (page cache etc.); reads only.
  const db = new Database(file, { readonly: true });
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    async query(sql, parameters) {
      return prepared(sql).all(parameters) as Record<string, unknown>[];
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
  const names = new Map<string, string>();
  return {
    async query(sql, parameters) {
      // A named statement: parsed and planned once per connection, like a prepared statement.
      let name = names.get(sql);
      if (!name) {
        name = `bench_${names.size}`;
        names.set(sql, name);
      }
      return (await client.query<Record<string, unknown>>({ name, text: sql, values: parameters }))
        .rows;
    },
    async explain(sql, parameters) {
      const result = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`,
        parameters,
      );
      return result.rows.map((row) => row['QUERY PLAN']);
    },
    async close() {
      await client.end();
    },
  };
}

/** A minimal keep-alive HTTP client: what an integration would use, with little overhead of its own. */
export class HttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly port: number) {}

  post<T>(path: string, body: unknown, token?: string): Promise<{ status: number; body: T }> {
    return this.send('POST', path, JSON.stringify(body), token);
  }

  get<T>(path: string, token?: string): Promise<{ status: number; body: T }> {
    return this.send('GET', path, undefined, token);
  }

  private send<T>(
    method: string,
    path: string,
    payload: string | undefined,
    token: string | undefined,
  ): Promise<{ status: number; body: T }> {
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
            try {
              resolve({
                status: res.statusCode ?? 0,
                body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T,
              });
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

  close(): void {
    this.agent.destroy();
  }
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    medianMs: round(
      sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2,
    ),
    p95Ms: round(at(0.95)),
    meanMs: round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length),
    minMs: round(sorted[0]),
  };
}

const ratio = (a: Timing, b: Timing) => Math.round((a.medianMs / b.medianMs) * 100) / 100;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface SearchResponse {
  total: number;
  results: { id: string }[];
}

/** The real server on a scratch database, as `main.ts` wires it, on an ephemeral local port. */
export interface BenchServer {
  app: NestExpressApplication;
  database: TestDatabase;
  port: number;
  close(): Promise<void>;
}

export async function startBenchServer(kind: DatabaseKind): Promise<BenchServer> {
  const database = await createTestDatabase(kind);
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
  let app: NestExpressApplication | undefined;
  const close = async () => {
    await app?.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadServerConfig({
      DATABASE_URL: database.url,
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
      CUSTOS_ADMIN_EMAIL: ADMIN_EMAIL,
      CUSTOS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'info',
    });
    // The server logs every request as in production, into a sink that drops the lines.
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      bodyParser: false,
      logger: false,
      abortOnError: false,
    });
    configureApp(app, config, createLogger({ level: config.logLevel }, sink));
    await app.get(InitialAccountService).ensure({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer() as Server).address() as AddressInfo;
    return { app, database, port: port.port, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Signs in as the bench's admin; returns the bearer token. */
export async function signIn(http: HttpClient): Promise<string> {
  const login = await http.post<{ accessToken: string }>('/api/v1/auth/login', {
    email: ADMIN_EMAIL,
    password: ADMIN_PASSWORD,
  });
  if (login.status !== 200) {
    throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  }
  return login.body.accessToken;
}

export async function benchCrmSearch(
  kind: DatabaseKind,
  options: CrmSearchOptions,
): Promise<CrmSearchResult> {
  const server = await startBenchServer(kind);
  const { app, database } = server;
  let raw: RawSql | undefined;
  let http: HttpClient | undefined;
  try {
    const dataSource = app.get(DataSource);

    const seed = await seedDemoData(app, { contacts: options.contacts, randomSeed: 20_260_101 });

    http = new HttpClient(server.port);
    const token = await signIn(http);
    const search = (limit: number, country: string) => ({
      filterGroups: [{ filters: [{ propertyName: 'country', operator: 'eq', value: country }] }],
      sorts: [{ propertyName: 'lastname', direction: 'ASCENDING' }],
      limit,
    });
    const callApi = async (limit: number, country = 'DE'): Promise<SearchResponse> => {
      const response = await http!.post<SearchResponse>(
        '/api/v1/objects/contacts/search',
        search(limit, country),
        token,
      );
      if (response.status !== 200) {
        throw new Error(`search failed: ${response.status} ${JSON.stringify(response.body)}`);
      }
      return response.body;
    };

    // The SQL the server runs for one request, from TypeORM's query log.
    const captured: { sql: string; parameters: unknown[] }[] = [];
    const logger = dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (sql, parameters, queryRunner): void => {
      captured.push({ sql, parameters: Array.isArray(parameters) ? parameters : [] });
      logQuery(sql, parameters, queryRunner);
    };
    const apiPage = await callApi(50);
    logger.logQuery = logQuery;
    const generatedPage = captured.find(
      (q) => /ORDER BY/i.test(q.sql) && /crm_contact/.test(q.sql),
    );
    const generatedCount = captured.find(
      (q) => /COUNT\(\*\)/i.test(q.sql) && /crm_contact/.test(q.sql),
    );
    if (!generatedPage || !generatedCount) {
      throw new Error(`could not find the search SQL among ${captured.length} queries`);
    }

    const file = database.url.slice('sqlite:'.length);
    raw = kind === 'sqlite' ? sqliteRaw(file) : await postgresRaw(database.url);
    const p = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
    const columns = [
      'id',
      'account_id',
      'owner_id',
      'business_unit_id',
      'created_at',
      'updated_at',
      'archived_at',
      'custom',
      'email',
      'firstname',
      'lastname',
      'phone',
      'jobtitle',
      'company',
      'city',
      'country',
      'lifecyclestage',
      'birthdate',
    ];
    const where = `account_id = ${p(1)} AND archived_at IS NULL AND country = ${p(2)}`;
    const pageSql = `SELECT ${columns.join(', ')} FROM crm_contact WHERE ${where} ORDER BY lastname ASC NULLS LAST, id ASC LIMIT 51`;
    const countSql = `SELECT COUNT(*) AS total FROM crm_contact WHERE ${where}`;
    const parameters = [seed.accountId, 'DE'];
    const noMatch = [seed.accountId, 'XX'];

    const rawPage = await raw.query(pageSql, parameters);
    const rawCount = Number((await raw.query(countSql, parameters))[0].total);
    const sameResult =
      apiPage.total === rawCount &&
      JSON.stringify(apiPage.results.map((r) => r.id)) ===
        JSON.stringify(rawPage.slice(0, 50).map((r) => r.id));

    const db = raw;
    const runs: Record<string, () => Promise<unknown>> = {
      apiPage50: () => callApi(50),
      apiLimit1: () => callApi(1),
      sqlPage: () => db.query(pageSql, parameters),
      sqlCount: () => db.query(countSql, parameters),
      sqlPageThenCount: async () => {
        await db.query(pageSql, parameters);
        await db.query(countSql, parameters);
      },
      generatedPage: () => db.query(generatedPage.sql, generatedPage.parameters),
      generatedCount: () => db.query(generatedCount.sql, generatedCount.parameters),
      apiLive: async () => {
        const response = await http!.get('/api/v1/health/live');
        if (response.status !== 200) {
          throw new Error(`health/live answered ${response.status}`);
        }
      },
      apiNoMatch: () => callApi(50, 'XX'),
      sqlNoMatchPageThenCount: async () => {
        await db.query(pageSql, noMatch);
        await db.query(countSql, noMatch);
      },
    };
    const samples = new Map<string, number[]>(Object.keys(runs).map((name) => [name, []]));
    for (let i = 0; i < options.warmup + options.iterations; i++) {
      for (const [name, run] of Object.entries(runs)) {
        const ms = await timed(run);
        if (i >= options.warmup) {
          samples.get(name)!.push(ms);
        }
      }
    }
    const t = (name: string) => timing(samples.get(name)!);
    const api = { page50: t('apiPage50'), limit1: t('apiLimit1') };
    const sql = { page: t('sqlPage'), count: t('sqlCount'), pageThenCount: t('sqlPageThenCount') };
    const generated = { page: t('generatedPage'), count: t('generatedCount') };
    const overhead = {
      liveRequest: t('apiLive'),
      searchNoMatch: t('apiNoMatch'),
      sqlNoMatchPageThenCount: t('sqlNoMatchPageThenCount'),
    };
    return {
      database: kind,
      seed,
      query: {
        filter: "country eq 'DE'",
        sort: 'lastname ASCENDING',
        limit: 50,
        matching: rawCount,
      },
      sameResult,
      iterations: options.iterations,
      api,
      sql,
      generatedSql: {
        ...generated,
        text: { page: generatedPage.sql, count: generatedCount.sql },
      },
      overhead: {
        ...overhead,
        searchOverheadMs:
          Math.round(
            (overhead.searchNoMatch.medianMs - overhead.sqlNoMatchPageThenCount.medianMs) * 1000,
          ) / 1000,
      },
      ratios: {
        pageRatio: ratio(api.page50, sql.pageThenCount),
        countRatio: ratio(api.limit1, sql.count),
        requestVsPageSqlOnly: ratio(api.page50, sql.page),
        generatedPageSqlRatio: ratio(generated.page, sql.page),
        generatedCountSqlRatio: ratio(generated.count, sql.count),
      },
      plans: {
        page: await raw.explain(pageSql, parameters),
        count: await raw.explain(countSql, parameters),
        generatedPage: await raw.explain(generatedPage.sql, generatedPage.parameters),
        generatedCount: await raw.explain(generatedCount.sql, generatedCount.parameters),
      },
    };
  } finally {
    http?.close();
    await raw?.close();
    await server.close();
  }
}
