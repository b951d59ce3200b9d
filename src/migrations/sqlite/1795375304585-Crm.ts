import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Crm1795375304585 implements MigrationInterface {
  name = 'Crm1795375304585';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_association" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "from_type" varchar(32) NOT NULL, "from_id" varchar(36) NOT NULL, "to_type" varchar(32) NOT NULL, "to_id" varchar(36) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_association_to_idx" ON "crm_association" ("account_id", "to_type", "to_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_association_uq" ON "crm_association" ("account_id", "from_type", "from_id", "to_type", "to_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_unique_value" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "property_name" varchar(100) NOT NULL, "value_key" varchar(512) NOT NULL, "record_id" varchar(36) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_unique_value_record_idx" ON "crm_unique_value" ("record_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_unique_value_uq" ON "crm_unique_value" ("account_id", "object_type", "property_name", "value_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_property" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "name" varchar(100) NOT NULL, "label" varchar(200) NOT NULL, "group_name" varchar(100) NOT NULL, "description" varchar(1000) NOT NULL DEFAULT (''), "type" varchar(16) NOT NULL, "options" text NOT NULL, "is_unique" boolean NOT NULL DEFAULT (0), "is_required" boolean NOT NULL DEFAULT (0), "formula" varchar(1000), "score_rules" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_property_account_type_name_uq" ON "crm_property" ("account_id", "object_type", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_property_history" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "record_id" varchar(36) NOT NULL, "property_name" varchar(100) NOT NULL, "old_value" text, "new_value" text, "source" varchar(16) NOT NULL, "actor_kind" varchar(32) NOT NULL, "actor_id" varchar(255) NOT NULL, "changed_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_property_history_record_idx" ON "crm_property_history" ("account_id", "record_id", "property_name", "changed_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_contact" ("account_id" varchar(36) NOT NULL, "owner_id" varchar(36), "business_unit_id" varchar(36), "custom" text NOT NULL DEFAULT ('{}'), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "archived_at" varchar(24), "id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(255), "firstname" varchar(255), "lastname" varchar(255), "phone" varchar(255), "jobtitle" varchar(255), "company" varchar(255), "city" varchar(255), "country" varchar(255), "lifecyclestage" varchar(100), "birthdate" varchar(10))`,
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
      `CREATE TABLE "crm_company" ("account_id" varchar(36) NOT NULL, "owner_id" varchar(36), "business_unit_id" varchar(36), "custom" text NOT NULL DEFAULT ('{}'), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "archived_at" varchar(24), "id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(255), "domain" varchar(255), "industry" varchar(255), "phone" varchar(255), "city" varchar(255), "country" varchar(255), "numberofemployees" double precision, "annualrevenue" double precision)`,
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
      `CREATE TABLE "crm_deal" ("account_id" varchar(36) NOT NULL, "owner_id" varchar(36), "business_unit_id" varchar(36), "custom" text NOT NULL DEFAULT ('{}'), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "archived_at" varchar(24), "id" varchar(36) PRIMARY KEY NOT NULL, "dealname" varchar(255), "amount" double precision, "dealstage" varchar(100), "pipeline" varchar(255), "closedate" varchar(10), "probability" double precision)`,
    );
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
      `CREATE TABLE "crm_segment" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "object_type" varchar(32) NOT NULL, "filter_groups" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_segment_account_name_uq" ON "crm_segment" ("account_id", "name") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_segment_account_name_uq"`);
    await queryRunner.query(`DROP TABLE "crm_segment"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_dealstage_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_closedate_idx"`);
    await queryRunner.query(`DROP INDEX "crm_deal_account_owner_idx"`);
    await queryRunner.query(`DROP TABLE "crm_deal"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_domain_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_name_idx"`);
    await queryRunner.query(`DROP INDEX "crm_company_account_owner_idx"`);
    await queryRunner.query(`DROP TABLE "crm_company"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_email_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_country_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_lifecyclestage_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_owner_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_account_created_idx"`);
    await queryRunner.query(`DROP TABLE "crm_contact"`);
    await queryRunner.query(`DROP INDEX "crm_property_history_record_idx"`);
    await queryRunner.query(`DROP TABLE "crm_property_history"`);
    await queryRunner.query(`DROP INDEX "crm_property_account_type_name_uq"`);
    await queryRunner.query(`DROP TABLE "crm_property"`);
    await queryRunner.query(`DROP INDEX "crm_unique_value_uq"`);
    await queryRunner.query(`DROP INDEX "crm_unique_value_record_idx"`);
    await queryRunner.query(`DROP TABLE "crm_unique_value"`);
    await queryRunner.query(`DROP INDEX "crm_association_uq"`);
    await queryRunner.query(`DROP INDEX "crm_association_to_idx"`);
    await queryRunner.query(`DROP TABLE "crm_association"`);
  }
}
