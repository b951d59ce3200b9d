import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LiveRecordIndexes1796472263873 implements MigrationInterface {
  name = 'LiveRecordIndexes1796472263873';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Lists, searches and counts read live records: their indexes become partial (archived rows
    // left out, `archived_at` held so that counts are index-only), scope indexes end with the
    // creation date and carry the columns rules and filters test most, and archived records get an
    // index of their own (docs/query-performance.md).
    await queryRunner.query(`DROP INDEX "crm_contact_account_business_unit_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_email_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_country_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_lifecyclestage_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_owner_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_business_unit_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_domain_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_name_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_owner_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_business_unit_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_dealstage_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_closedate_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_owner_idx"`);
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_created_idx" ON "crm_contact" ("account_id", "created_at", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_business_unit_created_idx" ON "crm_contact" ("account_id", "business_unit_id", "created_at", "id", "archived_at", "country", "lifecyclestage") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_owner_created_idx" ON "crm_contact" ("account_id", "owner_id", "created_at", "id", "archived_at", "country", "lifecyclestage") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_lifecyclestage_idx" ON "crm_contact" ("account_id", "lifecyclestage", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_country_lastname_idx" ON "crm_contact" ("account_id", "country", "lastname", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_lastname_idx" ON "crm_contact" ("account_id", "lastname", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_email_idx" ON "crm_contact" ("account_id", "email", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_archived_id_idx" ON "crm_contact" ("account_id", "id") WHERE "archived_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_live_id_idx" ON "crm_contact" ("account_id", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_live_created_idx" ON "crm_company" ("account_id", "created_at", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_live_business_unit_created_idx" ON "crm_company" ("account_id", "business_unit_id", "created_at", "id", "archived_at", "country", "industry") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_live_owner_created_idx" ON "crm_company" ("account_id", "owner_id", "created_at", "id", "archived_at", "country", "industry") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_live_name_idx" ON "crm_company" ("account_id", "name", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_live_domain_idx" ON "crm_company" ("account_id", "domain", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_archived_id_idx" ON "crm_company" ("account_id", "id") WHERE "archived_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_live_id_idx" ON "crm_company" ("account_id", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_live_created_idx" ON "crm_deal" ("account_id", "created_at", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_live_business_unit_created_idx" ON "crm_deal" ("account_id", "business_unit_id", "created_at", "id", "archived_at", "dealstage", "pipeline") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_live_owner_created_idx" ON "crm_deal" ("account_id", "owner_id", "created_at", "id", "archived_at", "dealstage", "pipeline") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_live_closedate_idx" ON "crm_deal" ("account_id", "closedate", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_live_dealstage_idx" ON "crm_deal" ("account_id", "dealstage", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_archived_id_idx" ON "crm_deal" ("account_id", "id") WHERE "archived_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_live_id_idx" ON "crm_deal" ("account_id", "id", "archived_at") WHERE "archived_at" IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_deal_live_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_archived_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_live_dealstage_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_live_closedate_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_live_owner_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_live_business_unit_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_live_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_live_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_archived_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_live_domain_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_live_name_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_live_owner_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_live_business_unit_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_live_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_archived_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_email_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_country_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_lifecyclestage_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_owner_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_business_unit_created_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_live_created_idx"`);
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_owner_idx" ON "crm_deal" ("account_id", "owner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_closedate_idx" ON "crm_deal" ("account_id", "closedate", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_dealstage_idx" ON "crm_deal" ("account_id", "dealstage", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_id_idx" ON "crm_deal" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_business_unit_idx" ON "crm_deal" ("account_id", "business_unit_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_owner_idx" ON "crm_company" ("account_id", "owner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_name_idx" ON "crm_company" ("account_id", "name", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_domain_idx" ON "crm_company" ("account_id", "domain") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_id_idx" ON "crm_company" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_business_unit_idx" ON "crm_company" ("account_id", "business_unit_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_created_idx" ON "crm_contact" ("account_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_owner_idx" ON "crm_contact" ("account_id", "owner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_lifecyclestage_idx" ON "crm_contact" ("account_id", "lifecyclestage", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_country_lastname_idx" ON "crm_contact" ("account_id", "country", "lastname", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_lastname_idx" ON "crm_contact" ("account_id", "lastname", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_email_idx" ON "crm_contact" ("account_id", "email") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_id_idx" ON "crm_contact" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_business_unit_idx" ON "crm_contact" ("account_id", "business_unit_id", "id") `,
    );
  }
}
