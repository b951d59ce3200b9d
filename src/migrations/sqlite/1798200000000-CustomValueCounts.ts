import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  COUNTED_PROPERTIES,
  createCustomValueCounts,
  customValueCountKey,
  customValueCountsOf,
  dropCustomValueCounts,
  fillCustomValueCounts,
  LIVE_COUNT_TABLES,
  liveCountKey,
  type LiveCountTable,
} from '../record-counts';

/** The value of the registered property `p` in `row`, as filters read it (`json_extract`). */
const valueIn = (row: 'OLD' | 'NEW') => `json_extract(${row}."custom", '$.' || p."property_name")`;

/**
 * The count rows of `row`'s registered properties (when the row is live and holds a value), by
 * rowid: `IS` on the key columns that may be NULL, so that the unique key's index is searched.
 */
function countRows(counted: LiveCountTable, row: 'OLD' | 'NEW'): string {
  const counts = customValueCountsOf(counted.table);
  const rest = liveCountKey(counted).slice(1);
  // CROSS JOIN: the registry first, then the key searched in full. Without statistics on the new
  // tables SQLite put the counts outside and read the account's every count row per written row
  // (the bench's UPDATE of 100,000 contacts' custom values: 29 s → 341 s).
  return `SELECT c.rowid FROM "${COUNTED_PROPERTIES}" p CROSS JOIN "${counts}" c
    ON c."account_id" = p."account_id" AND c."property_name" = p."property_name" AND c."value" = ${valueIn(row)}
    ${rest.map((column) => `AND c.${column} IS ${row}.${column}`).join(' ')}
    WHERE p."account_id" = ${row}."account_id" AND p."object_table" = '${counted.table}' AND ${row}."archived_at" IS NULL`;
}

/**
 * Adds `delta` to the counts of `row`'s values; for +1, first a count row of 0 for each value
 * whose key has none (a removed live row's key always has its row).
 */
function countValues(counted: LiveCountTable, row: 'OLD' | 'NEW', delta: 1 | -1): string {
  const counts = customValueCountsOf(counted.table);
  const key = customValueCountKey(counted);
  const rest = liveCountKey(counted).slice(1);
  const update = `UPDATE "${counts}" SET "live" = "live" + ${delta} WHERE rowid IN (${countRows(counted, row)});`;
  if (delta === -1) {
    return update;
  }
  const values = `SELECT p."property_name", ${valueIn(row)} AS "value" FROM "${COUNTED_PROPERTIES}" p
    WHERE p."account_id" = ${row}."account_id" AND p."object_table" = '${counted.table}' AND ${row}."archived_at" IS NULL`;
  return `INSERT INTO "${counts}" (${key.join(', ')}, "live")
      SELECT ${row}."account_id", v."property_name", v."value", ${rest.map((column) => `${row}.${column}`).join(', ')}, 0
      FROM (${values}) v
      WHERE v."value" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "${counts}" c
        WHERE c."account_id" = ${row}."account_id" AND c."property_name" = v."property_name" AND c."value" = v."value"
        ${rest.map((column) => `AND c.${column} IS ${row}.${column}`).join(' ')});
    ${update}`;
}

/**
 * The number of live records per indexed custom property and value, account, owner, business
 * unit and the live counts' carried columns (`crm_contact_custom_count`…), so that the total of
 * a page filtered by equality on an indexed custom property is a SUM over them
 * (docs/query-performance.md, "Custom value counts"). Row triggers in the transaction of every
 * write, for the properties `crm_counted_property` lists for the row's account: the index job
 * registers and fills a property in the transaction that marks it indexed, and clears it when
 * unmarked (no DDL per property).
 */
export class CustomValueCounts1798200000000 implements MigrationInterface {
  name = 'CustomValueCounts1798200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of createCustomValueCounts('sqlite')) {
      await queryRunner.query(statement);
    }
    for (const counted of LIVE_COUNT_TABLES) {
      const { table } = counted;
      const counts = customValueCountsOf(table);
      const key = liveCountKey(counted);
      for (const statement of [
        `CREATE TRIGGER "${counts}_insert" AFTER INSERT ON "${table}" FOR EACH ROW WHEN NEW."archived_at" IS NULL BEGIN ${countValues(counted, 'NEW', 1)} END`,
        `CREATE TRIGGER "${counts}_delete" AFTER DELETE ON "${table}" FOR EACH ROW WHEN OLD."archived_at" IS NULL BEGIN ${countValues(counted, 'OLD', -1)} END`,
        `CREATE TRIGGER "${counts}_update" AFTER UPDATE OF "custom", ${key.join(', ')}, "archived_at" ON "${table}" FOR EACH ROW
          WHEN OLD."custom" IS NOT NEW."custom" OR ${key.map((column) => `OLD.${column} IS NOT NEW.${column}`).join(' OR ')} OR (OLD."archived_at" IS NULL) <> (NEW."archived_at" IS NULL)
          BEGIN ${countValues(counted, 'OLD', -1)} ${countValues(counted, 'NEW', 1)} END`,
      ]) {
        await queryRunner.query(statement);
      }
    }
    for (const statement of fillCustomValueCounts('sqlite')) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table } of [...LIVE_COUNT_TABLES].reverse()) {
      for (const event of ['update', 'delete', 'insert']) {
        await queryRunner.query(`DROP TRIGGER "${customValueCountsOf(table)}_${event}"`);
      }
    }
    for (const statement of dropCustomValueCounts()) {
      await queryRunner.query(statement);
    }
  }
}
