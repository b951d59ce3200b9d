import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  COUNTED_PROPERTIES,
  countTriggers,
  dropCountTriggers,
  createCustomValueCounts,
  customValueCountKey,
  customValueCountsOf,
  dropCustomValueCounts,
  fillCustomValueCounts,
  LIVE_COUNT_TABLES,
  liveCountKey,
  type LiveCountTable,
} from '../record-counts';

/** The value of each registered property in each live row of the transition table `rows`, with `delta`. */
function liveValues(counted: LiveCountTable, rows: string, delta: 1 | -1): string {
  const rest = liveCountKey(counted).slice(1);
  return `SELECT t."account_id", p."property_name", t."custom"::jsonb ->> p."property_name" AS "value", ${rest
    .map((column) => `t.${column}`)
    .join(', ')}, ${delta} AS "delta"
    FROM ${rows} t JOIN "${COUNTED_PROPERTIES}" p ON p."account_id" = t."account_id" AND p."object_table" = '${counted.table}'
    WHERE t."archived_at" IS NULL`;
}

/** Adds `rows`' deltas to their counts: keys summed, in key order (as `RecordLiveCounts`). */
function addCounts(counted: LiveCountTable, rows: string): string {
  const counts = customValueCountsOf(counted.table);
  const key = customValueCountKey(counted).join(', ');
  return `INSERT INTO "${counts}" (${key}, "live")
    SELECT ${key}, SUM("delta") FROM (${rows}) "changes"
    WHERE "value" IS NOT NULL
    GROUP BY ${key}
    HAVING SUM("delta") <> 0
    ORDER BY ${key}
    ON CONFLICT (${key}) DO UPDATE SET "live" = "${counts}"."live" + excluded."live";`;
}

/**
 * The number of live records per indexed custom property and value, account, owner, business
 * unit and the live counts' carried columns (`crm_contact_custom_count`…; the value as `->>`
 * reads it), so that the total of a page filtered by equality on an indexed custom property is a
 * SUM over them (docs/query-performance.md, "Custom value counts"). Statement triggers as
 * `RecordLiveCounts`', for the properties `crm_counted_property` lists for the rows' accounts:
 * the index job registers and fills a property under a SHARE lock of the record table (no write
 * between the registration and the fill) and clears it when unmarked (no DDL per property).
 */
export class CustomValueCounts1798200000000 implements MigrationInterface {
  name = 'CustomValueCounts1798200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of createCustomValueCounts('postgres')) {
      await queryRunner.query(statement);
    }
    for (const counted of LIVE_COUNT_TABLES) {
      const counts = customValueCountsOf(counted.table);
      for (const statement of [
        ...countTriggers(
          counted.table,
          counts,
          (rows, delta) => liveValues(counted, rows, delta),
          (rows) => addCounts(counted, rows),
        ),
      ]) {
        await queryRunner.query(statement);
      }
    }
    for (const statement of fillCustomValueCounts('postgres')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table } of [...LIVE_COUNT_TABLES].reverse()) {
      const counts = customValueCountsOf(table);
      for (const statement of dropCountTriggers(table, counts)) {
        await queryRunner.query(statement);
      }
    }
    for (const statement of dropCustomValueCounts()) {
      await queryRunner.query(statement);
    }
  }
}
