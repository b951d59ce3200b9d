import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The records an export carried, in one B-tree: the table (`WITHOUT ROWID`) keyed by account,
 * record and export serves the privacy lookup and the erasure, and the index by record goes.
 */
export class ExportRecordKey1798000000000 implements MigrationInterface {
  name = 'ExportRecordKey1798000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.rebuild(queryRunner, `"account_id", "record_id", "export_id"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.rebuild(queryRunner, `"account_id", "export_id", "record_id"`);
    await queryRunner.query(
      `CREATE INDEX "custos_export_record_record_idx" ON "custos_export_record" ("account_id", "record_id") `,
    );
  }

  /** A `WITHOUT ROWID` table's key cannot be altered: the table is copied under the new one. */
  private async rebuild(queryRunner: QueryRunner, key: string): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "temporary_custos_export_record" ("account_id" varchar(36) NOT NULL, "export_id" varchar(36) NOT NULL, "record_id" varchar(64) NOT NULL, PRIMARY KEY (${key})) WITHOUT ROWID`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_custos_export_record" ("account_id", "export_id", "record_id") SELECT "account_id", "export_id", "record_id" FROM "custos_export_record"`,
    );
    await queryRunner.query(`DROP TABLE "custos_export_record"`);
    await queryRunner.query(
      `ALTER TABLE "temporary_custos_export_record" RENAME TO "custos_export_record"`,
    );
  }
}
