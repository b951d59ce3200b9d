import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The records an export carried, in one B-tree: the key led by the record serves the privacy
 * lookup and the erasure, and the index by record (a second B-tree written per record) goes.
 */
export class ExportRecordKey1798000000000 implements MigrationInterface {
  name = 'ExportRecordKey1798000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_export_record_record_idx"`);
    await queryRunner.query(
      `ALTER TABLE "custos_export_record" DROP CONSTRAINT "custos_export_record_pk"`,
    );
    await queryRunner.query(
      `ALTER TABLE "custos_export_record" ADD CONSTRAINT "custos_export_record_pk" PRIMARY KEY ("account_id", "record_id", "export_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "custos_export_record" DROP CONSTRAINT "custos_export_record_pk"`,
    );
    await queryRunner.query(
      `ALTER TABLE "custos_export_record" ADD CONSTRAINT "custos_export_record_pk" PRIMARY KEY ("account_id", "export_id", "record_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_export_record_record_idx" ON "custos_export_record" ("account_id", "record_id") `,
    );
  }
}
