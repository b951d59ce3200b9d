import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The records an export carried, found by export: `ExportRecords.forget` (a failed or cancelled
 * run, which any exporter can cause at will) deletes its own notes through this index instead of
 * reading every note of the account. The same statements on both databases: one class for both.
 */
export class ExportRecordByExport1798100000000 implements MigrationInterface {
  name = 'ExportRecordByExport1798100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "custos_export_record_export_idx" ON "custos_export_record" ("export_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_export_record_export_idx"`);
  }
}
