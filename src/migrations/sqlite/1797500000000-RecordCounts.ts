import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillRecordCounts, RECORD_TABLES } from '../record-counts';

/** Adds `delta` to the count of `row`'s key (`OLD` or `NEW`) when that row is live. */
function countRow(table: string, row: 'OLD' | 'NEW', delta: 1 | -1): string {
  return `INSERT INTO "crm_record_count" ("account_id", "object_table", "owner_id", "business_unit_id", "live")
    SELECT ${row}."account_id", '${table}', COALESCE(${row}."owner_id", ''), COALESCE(${row}."business_unit_id", ''), ${delta}
    WHERE ${row}."archived_at" IS NULL
    ON CONFLICT ("account_id", "object_table", "owner_id", "business_unit_id") DO UPDATE SET "live" = "live" + excluded."live";`;
}

/**
 * The number of live records per account, table, owner and business unit, kept by triggers in
 * the transaction of every write to a record table, whoever writes it (docs/query-performance.md,
 * "Maintained totals"). No owner or unit is stored as `''` (a key column cannot be NULL). Without
 * rowid: the rows are stored in key order, so an account's counts are one range of the table.
 */
export class RecordCounts1797500000000 implements MigrationInterface {
  name = 'RecordCounts1797500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_record_count" ("account_id" varchar(36) NOT NULL, "object_table" varchar(64) NOT NULL, "owner_id" varchar(36) NOT NULL, "business_unit_id" varchar(36) NOT NULL, "live" integer NOT NULL, PRIMARY KEY ("account_id", "object_table", "owner_id", "business_unit_id")) WITHOUT ROWID`,
    );
    for (const table of RECORD_TABLES) {
      await queryRunner.query(backfillRecordCounts(table));
      await queryRunner.query(
        `CREATE TRIGGER "${table}_count_insert" AFTER INSERT ON "${table}" FOR EACH ROW WHEN NEW."archived_at" IS NULL BEGIN ${countRow(table, 'NEW', 1)} END`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_count_delete" AFTER DELETE ON "${table}" FOR EACH ROW WHEN OLD."archived_at" IS NULL BEGIN ${countRow(table, 'OLD', -1)} END`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_count_update" AFTER UPDATE OF "account_id", "owner_id", "business_unit_id", "archived_at" ON "${table}" FOR EACH ROW
         WHEN OLD."account_id" IS NOT NEW."account_id" OR OLD."owner_id" IS NOT NEW."owner_id" OR OLD."business_unit_id" IS NOT NEW."business_unit_id" OR (OLD."archived_at" IS NULL) <> (NEW."archived_at" IS NULL)
         BEGIN ${countRow(table, 'OLD', -1)} ${countRow(table, 'NEW', 1)} END`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...RECORD_TABLES].reverse()) {
      for (const event of ['update', 'delete', 'insert']) {
        await queryRunner.query(`DROP TRIGGER "${table}_count_${event}"`);
      }
    }
    await queryRunner.query(`DROP TABLE "crm_record_count"`);
  }
}
