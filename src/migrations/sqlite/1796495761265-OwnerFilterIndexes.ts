import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OwnerFilterIndexes1796495761265 implements MigrationInterface {
  name = 'OwnerFilterIndexes1796495761265';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A team or own-level reader's filter on a column the scope indexes carry (`country = 'DE'`)
    // seeks owner and value together: the owner, the carried columns, then id
    // (docs/query-performance.md).
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_owner_filters_idx" ON "crm_contact" ("account_id", "owner_id", "country", "lifecyclestage", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_live_owner_filters_idx" ON "crm_company" ("account_id", "owner_id", "country", "industry", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_live_owner_filters_idx" ON "crm_deal" ("account_id", "owner_id", "dealstage", "pipeline", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_deal_live_owner_filters_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_live_owner_filters_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_owner_filters_idx"`);
  }
}
