import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ForegroundRequests } from '@custos/core';
import type { RecordsById } from '../records';

/**
 * Rows per batch of a streamed export (one audit event, one abort check, one progress step each);
 * the cursor costs one round trip per batch. Batches of 250 cost more audit events and kept no
 * less memory (docs/benchmarks.md).
 */
export const EXPORT_BATCH_SIZE = 1000;

/**
 * Rows per batch of an export that opens sealed values. Such a page (its records, their subject
 * keys, the values opened) lives until its cells are made; while the server answers requests the
 * export steps aside between slices, the page outlives young-generation collections and is
 * promoted. At 1,000,000 contacts a sensitive export of 1,000-row pages grew the server's RSS by
 * +161 to +179 MB while searches ran (+37 to +80 MB alone); of 250-row pages by +39 to +63 MB
 * (+23 to +64 MB alone, docs/benchmarks.md, 7 December). Plaintext rows are a fraction of that
 * and keep 1,000.
 */
export const SENSITIVE_EXPORT_BATCH_SIZE = 250;

/** How {@link streamedRows} reads: the batch size, and (SQLite) a narrow scope's row ids. */
export interface StreamedRowsOptions {
  /** Default {@link EXPORT_BATCH_SIZE}. */
  batchSize?: number;
  rowIds?: RecordsById['rowIds'];
}

/**
 * Rows an export handles between two turns of the event loop: its work is synchronous (stepping
 * SQLite, opening values, writing lines), and a request to the same server waits for the slice
 * in progress at each of its own steps (docs/benchmarks.md, responsiveness).
 */
export const EXPORT_SLICE_ROWS = 250;

/**
 * Longest an export's page work (making records, opening sensitive values, making cells) runs
 * before the event loop gets a turn. Counted in time, not rows: a row that opens three values and
 * a subject key costs ~10× a plain one, and 250 of them held a concurrent search's every step for
 * ~10 ms (p99 ×11.7 idle at 1,000,000 contacts, docs/benchmarks.md).
 */
export const EXPORT_SLICE_MS = 2;

/**
 * The clock of an export's slices: {@link over} once {@link EXPORT_SLICE_MS} have passed; between
 * two, the event loop gets a turn, or while requests are in flight a wait until they are answered
 * (at most `STEP_ASIDE_SLICES` slices: `ForegroundRequests`).
 */
export class ExportSlice {
  private started = performance.now();

  constructor(private readonly foreground: ForegroundRequests) {}

  /** Whether the slice is over (checked every few rows: reading the clock costs ~50 ns). */
  over(): boolean {
    return performance.now() - this.started >= EXPORT_SLICE_MS;
  }

  /** Gives the event loop a turn (the requests in flight theirs, first) and starts the next slice. */
  async next(): Promise<void> {
    await this.foreground.yieldTurn(EXPORT_SLICE_MS);
    this.started = performance.now();
  }
}

/** A row as the database returns it: its cells in the order of the query's select list. */
export type RawRow = unknown[];

/**
 * The raw rows of `query` as arrays (no object, no key per cell: less to allocate and to keep
 * while a page waits for the next, docs/benchmarks.md) in batches of up to `batchSize`,
 * read by ONE query planned once and as of one moment, never the whole set in memory; ends when
 * the rows do or `signal` aborts.
 * PostgreSQL: a server-side cursor inside a REPEATABLE READ, READ ONLY transaction on a connection
 * of its own. SQLite: a statement iterated on a read-only connection of its own (WAL: a reader
 * keeps its snapshot and never blocks the writer; the server's connection stays free between
 * batches, for the audit writes among others). The cost: a running export holds one pool
 * connection (PostgreSQL) and keeps the WAL from being checkpointed past its snapshot (SQLite).
 * A yielded batch is the consumer's to empty once read: this generator holds it until the next.
 */
export function streamedRows(
  query: SelectQueryBuilder<ObjectLiteral>,
  signal: AbortSignal,
  { batchSize = EXPORT_BATCH_SIZE, rowIds }: StreamedRowsOptions = {},
): AsyncGenerator<RawRow[]> {
  return query.connection.options.type === 'postgres'
    ? cursorBatches(query, signal, batchSize)
    : iteratedBatches(query, signal, batchSize, rowIds);
}

/** The part of `pg`'s client the cursor uses. */
interface ArrayRowsClient {
  query(config: { text: string; rowMode: 'array' }): Promise<{ rows: RawRow[] }>;
}

async function* cursorBatches(
  query: SelectQueryBuilder<ObjectLiteral>,
  signal: AbortSignal,
  batchSize: number,
): AsyncGenerator<RawRow[]> {
  const [sql, parameters] = query.getQueryAndParameters();
  const runner = query.connection.createQueryRunner('slave');
  let next: Promise<RawRow[]> | undefined;
  try {
    await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // An export reads its cursor to the end: plan for all rows (as COPY is), not for the first
    // tenth (PostgreSQL's default `cursor_tuple_fraction`), which prefers fast-start plans.
    await runner.query('SET LOCAL cursor_tuple_fraction = 1');
    await runner.query(`DECLARE export_rows NO SCROLL CURSOR FOR ${sql}`, parameters);
    // The driver's own client: TypeORM's runner returns rows only as objects.
    const client = (await runner.connect()) as ArrayRowsClient;
    const page = `FETCH ${Math.trunc(batchSize)} FROM export_rows`;
    const fetch = async () => (await client.query({ text: page, rowMode: 'array' })).rows;
    next = fetch();
    while (!signal.aborted) {
      const batch = await next!;
      next = undefined;
      const more = batch.length === batchSize;
      // The next batch is read while this one is turned into cells: the database works on the
      // other core meanwhile instead of the two waiting for each other.
      if (more) {
        next = fetch();
        // A failure surfaces at the next await of it; not "unhandled" if the consumer stops first.
        next.catch(() => undefined);
      }
      if (batch.length > 0 && !signal.aborted) {
        yield batch;
      }
      if (!more) {
        break;
      }
    }
  } finally {
    await next?.catch(() => undefined);
    // Read only: nothing to keep; the cursor closes with the transaction.
    await runner.query('ROLLBACK').catch(() => undefined);
    await runner.release();
  }
}

/** better-sqlite3 binds no booleans (as TypeORM's runner converts them). */
const bound = (parameters: unknown[]) =>
  parameters.map((value) => (typeof value === 'boolean' ? Number(value) : value));

/**
 * The temporary table (of the export's own connection) that holds a narrow scope's row ids as its
 * key, kept sorted: SQLite then reads the rows in table order.
 */
const ROW_IDS_TABLE = 'temp.export_row_ids';

/**
 * The statement an SQLite export steps: `query`; or, with `rowIds` and fewer of them than
 * `rowIds.fewerThan`, the same columns read by those row ids (collected into a temporary table
 * and counted at once, no COUNT beforehand) and sorted by id. Both in one read transaction: the
 * rows are those of the row ids' snapshot.
 */
function exportStatement(
  database: Database.Database,
  query: SelectQueryBuilder<ObjectLiteral>,
  rowIds: RecordsById['rowIds'],
): [string, unknown[]] {
  if (rowIds) {
    database.exec('BEGIN');
    database.exec(`CREATE TABLE ${ROW_IDS_TABLE} (id INTEGER PRIMARY KEY)`);
    const [sql, parameters] = rowIds.query.getQueryAndParameters();
    const limit = Math.trunc(rowIds.fewerThan);
    const collected = database
      .prepare(`INSERT INTO ${ROW_IDS_TABLE} ${sql} LIMIT ${limit}`)
      .run(...bound(parameters));
    if (collected.changes < limit) {
      return query
        .clone()
        .where(`${query.alias}.rowid IN (SELECT id FROM ${ROW_IDS_TABLE})`)
        .orderBy(`+${query.alias}.id`, 'ASC')
        .getQueryAndParameters();
    }
  }
  return query.getQueryAndParameters();
}

async function* iteratedBatches(
  query: SelectQueryBuilder<ObjectLiteral>,
  signal: AbortSignal,
  batchSize: number,
  rowIds: RecordsById['rowIds'],
): AsyncGenerator<RawRow[]> {
  const file = (query.connection.options as { database: string }).database;
  const database = new Database(file, { readonly: true, fileMustExist: true });
  let rows: IterableIterator<RawRow> | undefined;
  try {
    const [sql, parameters] = exportStatement(database, query, rowIds);
    rows = database
      .prepare<unknown[], RawRow>(sql)
      .raw(true)
      .iterate(...bound(parameters));
    while (!signal.aborted) {
      const batch: RawRow[] = [];
      for (let next = rows.next(); !next.done; next = rows.next()) {
        batch.push(next.value);
        if (batch.length === batchSize) {
          break;
        }
        if (batch.length % EXPORT_SLICE_ROWS === 0) {
          await nextTurn();
        }
      }
      // Read before the batch leaves: the consumer may empty it.
      const more = batch.length === batchSize;
      if (batch.length > 0 && !signal.aborted) {
        yield batch;
      }
      if (!more) {
        break;
      }
      await nextTurn();
    }
  } finally {
    rows?.return?.();
    // Closing ends the read transaction and drops the row ids' table.
    database.close();
  }
}
