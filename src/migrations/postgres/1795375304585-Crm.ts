import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Crm1795375304585 implements MigrationInterface {
  name = 'Crm1795375304585';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_association" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "from_type" character varying(32) NOT NULL, "from_id" character varying(36) NOT NULL, "to_type" character varying(32) NOT NULL, "to_id" character varying(36) NOT NULL, CONSTRAINT "crm_association_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_association_to_idx" ON "crm_association"  ("account_id", "to_type", "to_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_association_uq" ON "crm_association"  ("account_id", "from_type", "from_id", "to_type", "to_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_unique_value" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "object_type" character varying(32) NOT NULL, "property_name" character varying(100) NOT NULL, "value_key" character varying(512) NOT NULL, "record_id" character varying(36) NOT NULL, CONSTRAINT "crm_unique_value_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_unique_value_record_idx" ON "crm_unique_value"  ("record_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_unique_value_uq" ON "crm_unique_value"  ("account_id", "object_type", "property_name", "value_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_property" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "object_type" character varying(32) NOT NULL, "name" character varying(100) NOT NULL, "label" character varying(200) NOT NULL, "group_name" character varying(100) NOT NULL, "description" character varying(1000) NOT NULL DEFAULT '', "type" character varying(16) NOT NULL, "options" text NOT NULL, "is_unique" boolean NOT NULL DEFAULT false, "is_required" boolean NOT NULL DEFAULT false, "formula" character varying(1000), "score_rules" text NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "crm_property_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_property_account_type_name_uq" ON "crm_property"  ("account_id", "object_type", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_property_history" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "object_type" character varying(32) NOT NULL, "record_id" character varying(36) NOT NULL, "property_name" character varying(100) NOT NULL, "old_value" text, "new_value" text, "source" character varying(16) NOT NULL, "actor_kind" character varying(32) NOT NULL, "actor_id" character varying(255) NOT NULL, "changed_at" character varying(24) NOT NULL, CONSTRAINT "crm_property_history_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_property_history_record_idx" ON "crm_property_history"  ("account_id", "record_id", "property_name", "changed_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_contact" ("account_id" character varying(36) NOT NULL, "owner_id" character varying(36), "business_unit_id" character varying(36), "custom" text NOT NULL DEFAULT '{}', "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "archived_at" character varying(24), "id" character varying(36) NOT NULL, "email" character varying(255), "firstname" character varying(255), "lastname" character varying(255), "phone" character varying(255), "jobtitle" character varying(255), "company" character varying(255), "city" character varying(255), "country" character varying(255), "lifecyclestage" character varying(100), "birthdate" character varying(10), CONSTRAINT "crm_contact_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_created_idx" ON "crm_contact"  ("account_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_owner_idx" ON "crm_contact"  ("account_id", "owner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_lifecyclestage_idx" ON "crm_contact"  ("account_id", "lifecyclestage", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_country_lastname_idx" ON "crm_contact"  ("account_id", "country", "lastname", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_lastname_idx" ON "crm_contact"  ("account_id", "lastname", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_email_idx" ON "crm_contact"  ("account_id", "email") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_account_id_idx" ON "crm_contact"  ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_company" ("account_id" character varying(36) NOT NULL, "owner_id" character varying(36), "business_unit_id" character varying(36), "custom" text NOT NULL DEFAULT '{}', "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "archived_at" character varying(24), "id" character varying(36) NOT NULL, "name" character varying(255), "domain" character varying(255), "industry" character varying(255), "phone" character varying(255), "city" character varying(255), "country" character varying(255), "numberofemployees" double precision, "annualrevenue" double precision, CONSTRAINT "crm_company_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_owner_idx" ON "crm_company"  ("account_id", "owner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_name_idx" ON "crm_company"  ("account_id", "name", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_domain_idx" ON "crm_company"  ("account_id", "domain") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_company_account_id_idx" ON "crm_company"  ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_deal" ("account_id" character varying(36) NOT NULL, "owner_id" character varying(36), "business_unit_id" character varying(36), "custom" text NOT NULL DEFAULT '{}', "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "archived_at" character varying(24), "id" character varying(36) NOT NULL, "dealname" character varying(255), "amount" double precision, "dealstage" character varying(100), "pipeline" character varying(255), "closedate" character varying(10), "probability" double precision, CONSTRAINT "crm_deal_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_owner_idx" ON "crm_deal"  ("account_id", "owner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_closedate_idx" ON "crm_deal"  ("account_id", "closedate", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_dealstage_idx" ON "crm_deal"  ("account_id", "dealstage", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_deal_account_id_idx" ON "crm_deal"  ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_segment" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "object_type" character varying(32) NOT NULL, "filter_groups" text NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "crm_segment_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_segment_account_name_uq" ON "crm_segment"  ("account_id", "name") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."crm_segment_account_name_uq"`);
    await queryRunner.query(`DROP TABLE "crm_segment"`);
    await queryRunner.query(`DROP INDEX "public"."crm_deal_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_deal_account_dealstage_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_deal_account_closedate_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_deal_account_owner_idx"`);
    await queryRunner.query(`DROP TABLE "crm_deal"`);
    await queryRunner.query(`DROP INDEX "public"."crm_company_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_company_account_domain_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_company_account_name_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_company_account_owner_idx"`);
    await queryRunner.query(`DROP TABLE "crm_company"`);
    await queryRunner.query(`DROP INDEX "public"."crm_contact_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_contact_account_email_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_contact_account_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_contact_account_country_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_contact_account_lifecyclestage_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_contact_account_owner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_contact_account_created_idx"`);
    await queryRunner.query(`DROP TABLE "crm_contact"`);
    await queryRunner.query(`DROP INDEX "public"."crm_property_history_record_idx"`);
    await queryRunner.query(`DROP TABLE "crm_property_history"`);
    await queryRunner.query(`DROP INDEX "public"."crm_property_account_type_name_uq"`);
    await queryRunner.query(`DROP TABLE "crm_property"`);
    await queryRunner.query(`DROP INDEX "public"."crm_unique_value_uq"`);
    await queryRunner.query(`DROP INDEX "public"."crm_unique_value_record_idx"`);
    await queryRunner.query(`DROP TABLE "crm_unique_value"`);
    await queryRunner.query(`DROP INDEX "public"."crm_association_uq"`);
    await queryRunner.query(`DROP INDEX "public"."crm_association_to_idx"`);
    await queryRunner.query(`DROP TABLE "crm_association"`);
  }
}
