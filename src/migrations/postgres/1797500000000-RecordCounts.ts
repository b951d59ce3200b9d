import type { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillRecordCounts, RECORD_TABLES } from '../record-counts';

/** Adds the live rows of `rows` (a `SELECT key columns, delta`) to their counts, keys in order. */
function addCounts(rows: string): string {
  return `INSERT INTO "crm_record_count" ("account_id", "object_table", "owner_id", "business_unit_id", "live")
    SELECT "account_id", TG_TABLE_NAME, "owner_id", "business_unit_id", SUM("delta")
    FROM (${rows}) "changes"
    GROUP BY "account_id", "owner_id", "business_unit_id"
    HAVING SUM("delta") <> 0
    ORDER BY "account_id", "owner_id", "business_unit_id"
    ON CONFLICT ("account_id", "object_table", "owner_id", "business_unit_id")
    DO UPDATE SET "live" = "crm_record_count"."live" + excluded."live";`;
}

/** The key of each live row of the transition table `rows`, with `delta`. */
function liveKeys(rows: string, delta: 1 | -1): string {
  return `SELECT "account_id", COALESCE("owner_id", '') AS "owner_id", COALESCE("business_unit_id", '') AS "business_unit_id", ${delta} AS "delta" FROM ${rows} WHERE "archived_at" IS NULL`;
}

/**
 * The number of live records per account, table, owner and business unit, kept by statement
 * triggers in the transaction of every write to a record table, whoever writes it
 * (docs/query-performance.md, "Maintained totals"). One upsert per statement, its keys summed and
 * taken in key order: a bulk write locks each count row once, and two writers lock shared rows in
 * the same order. No owner or unit is stored as `''` (a key column cannot be NULL).
 */
export class RecordCounts1797500000000 implements MigrationInterface {
  name = 'RecordCounts1797500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_record_count" ("account_id" character varying(36) NOT NULL, "object_table" character varying(64) NOT NULL, "owner_id" character varying(36) NOT NULL, "business_unit_id" character varying(36) NOT NULL, "live" bigint NOT NULL, CONSTRAINT "crm_record_count_pk" PRIMARY KEY ("account_id", "object_table", "owner_id", "business_unit_id"))`,
    );
    await queryRunner.query(`CREATE FUNCTION "crm_record_count_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${addCounts(liveKeys('"new_rows"', 1))}
        ELSIF TG_OP = 'DELETE' THEN
          ${addCounts(liveKeys('"old_rows"', -1))}
        ELSE
          ${addCounts(`${liveKeys('"old_rows"', -1)} UNION ALL ${liveKeys('"new_rows"', 1)}`)}
        END IF;
        RETURN NULL;
      END
    $$`);
    for (const table of RECORD_TABLES) {
      await queryRunner.query(backfillRecordCounts(table));
      await queryRunner.query(
        `CREATE TRIGGER "${table}_count_insert" AFTER INSERT ON "${table}" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "crm_record_count_changed"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_count_delete" AFTER DELETE ON "${table}" REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "crm_record_count_changed"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_count_update" AFTER UPDATE ON "${table}" REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "crm_record_count_changed"()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...RECORD_TABLES].reverse()) {
      for (const event of ['update', 'delete', 'insert']) {
        await queryRunner.query(`DROP TRIGGER "${table}_count_${event}" ON "${table}"`);
      }
    }
    await queryRunner.query(`DROP FUNCTION "crm_record_count_changed"()`);
    await queryRunner.query(`DROP TABLE "crm_record_count"`);
  }
}
