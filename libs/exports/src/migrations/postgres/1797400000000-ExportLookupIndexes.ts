import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the privacy lookup probes (`@custos/privacy`): one per probed column. */
export class ExportLookupIndexes1797400000000 implements MigrationInterface {
  name = 'ExportLookupIndexes1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "custos_export_requester_label_idx" ON "custos_export" ("account_id", "requester_label") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_export_requester_label_idx"`);
  }
}
