/**
 * `npm run bench [-- --contacts N --iterations N --only sqlite|postgres]`: runs the benchmarks
 * and prints one JSON document, also written to bench/results/latest.json (not committed).
 *
 * - `crmSearch` (bench/crm-search.ts): a search through the HTTP API vs the same query in SQL,
 *   and the seed throughput, on SQLite and on PostgreSQL (at `CUSTOS_TEST_POSTGRES_URL`, default
 *   postgres://postgres@127.0.0.1:5432/postgres; unreachable → `{ "skipped": reason }`).
 *
 * Scratch databases are made with `createTestDatabase` and dropped at the end. The machine's
 * load average is reported before and after: figures from a busy machine are noisy.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_POSTGRES_URL, type DatabaseKind } from '@custos/core/testing';
import { benchCrmSearch, type CrmSearchOptions, type CrmSearchResult } from './crm-search';

function parseArguments(argv: readonly string[]): CrmSearchOptions & { only?: DatabaseKind } {
  const usage =
    'Usage: npm run bench -- [--contacts N] [--iterations N] [--warmup N] [--only sqlite|postgres]';
  const options: CrmSearchOptions & { only?: DatabaseKind } = {
    contacts: 100_000,
    iterations: 200,
    warmup: 20,
  };
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(contacts|iterations|warmup|only)(?:=(.*))?$/.exec(argv[i]);
    const value = match ? (match[2] ?? argv[++i]) : undefined;
    if (!match || value === undefined) {
      throw new Error(usage);
    }
    if (match[1] === 'only') {
      if (value !== 'sqlite' && value !== 'postgres') {
        throw new Error(usage);
      }
      options.only = value;
    } else {
      const number = Number(value);
      if (!Number.isSafeInteger(number) || number < (match[1] === 'warmup' ? 0 : 1)) {
        throw new Error(`--${match[1]} needs a whole number. ${usage}`);
      }
      options[match[1] as 'contacts' | 'iterations' | 'warmup'] = number;
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

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = loadavg();
  const crmSearch: Partial<Record<DatabaseKind, CrmSearchResult | { skipped: string }>> = {};
  for (const kind of ['sqlite', 'postgres'] as const) {
    if (options.only && options.only !== kind) {
      continue;
    }
    process.stderr.write(`crm-search on ${kind}: seeding ${options.contacts} contacts…\n`);
    const unreachable = kind === 'postgres' ? await postgresUnreachable() : undefined;
    crmSearch[kind] = unreachable ? { skipped: unreachable } : await benchCrmSearch(kind, options);
  }
  const round = (n: number) => Math.round(n * 100) / 100;
  const report = {
    crmSearch,
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
