import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ScopeIndexes1795377377931 implements MigrationInterface {
  name = 'ScopeIndexes1795377377931';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_business_unit_idx" ON "crm_contact" ("account_id", "business_unit_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_business_unit_idx" ON "crm_company" ("account_id", "business_unit_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_business_unit_idx" ON "crm_deal" ("account_id", "business_unit_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_deal_account_business_unit_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_business_unit_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_business_unit_idx"`);
  }
}
