import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  countTriggers,
  createAllLiveCounts,
  dropCountTriggers,
  dropAllLiveCounts,
  liveCountKey,
  liveCountsOf,
  type LiveCountTable,
} from '../record-counts';

/** Adds `rows` (a `SELECT key columns, delta`) to their counts: keys summed, in key order. */
function addCounts(counted: LiveCountTable, rows: string): string {
  const counts = liveCountsOf(counted.table);
  const key = liveCountKey(counted).join(', ');
  return `INSERT INTO "${counts}" (${key}, "live")
    SELECT ${key}, SUM("delta") FROM (${rows}) "changes"
    GROUP BY ${key}
    HAVING SUM("delta") <> 0
    ORDER BY ${key}
    ON CONFLICT (${key}) DO UPDATE SET "live" = "${counts}"."live" + excluded."live";`;
}

/** The key of each live row of the transition table `rows`, with `delta`. */
function liveKeys(counted: LiveCountTable, rows: string, delta: 1 | -1): string {
  return `SELECT ${liveCountKey(counted).join(', ')}, ${delta} AS "delta" FROM ${rows} WHERE "archived_at" IS NULL`;
}

/**
 * The number of live records of each record table per account, owner, business unit and the two
 * columns its owner filter index carries (`crm_contact_live_count`…: the record table's own
 * column names, NULL kept as NULL), so that a total whose every condition reads only those
 * columns is a SUM over them (docs/query-performance.md, "Maintained totals"). Kept as
 * `crm_record_count` is: statement triggers in the transaction of every write, one upsert per
 * statement, keys summed and taken in key order (a bulk write locks each count row once; two
 * writers lock shared rows in the same order). `NULLS NOT DISTINCT` (PostgreSQL 15): one row per
 * key, NULLs included, which `ON CONFLICT` then finds.
 */
export class RecordLiveCounts1798150000000 implements MigrationInterface {
  name = 'RecordLiveCounts1798150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createAllLiveCounts(queryRunner, 'postgres', (counted, counts) => [
      ...countTriggers(
        counted.table,
        counts,
        (rows, delta) => liveKeys(counted, rows, delta),
        (rows) => addCounts(counted, rows),
      ),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAllLiveCounts(queryRunner, ({ table }, counts) => dropCountTriggers(table, counts));
  }
}
