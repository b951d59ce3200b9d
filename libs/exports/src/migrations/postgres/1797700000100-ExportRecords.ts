import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The records each export carried (the recipients' log), found by record for the privacy lookup. */
export class ExportRecords1797700000100 implements MigrationInterface {
  name = 'ExportRecords1797700000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_export_record" ("account_id" character varying(36) NOT NULL, "export_id" character varying(36) NOT NULL, "record_id" character varying(64) NOT NULL, CONSTRAINT "custos_export_record_pk" PRIMARY KEY ("account_id", "export_id", "record_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_export_record_record_idx" ON "custos_export_record" ("account_id", "record_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_export_record_record_idx"`);
    await queryRunner.query(`DROP TABLE "custos_export_record"`);
  }
}
