import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmHistoryKeyIndex1795385014473 implements MigrationInterface {
  name = 'CrmHistoryKeyIndex1795385014473';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "crm_property_history_account_id_idx" ON "crm_property_history" ("account_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_property_history_account_id_idx"`);
  }
}
