import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmSensitiveData1795383997230 implements MigrationInterface {
  name = 'CrmSensitiveData1795383997230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sensitive_data_setting" ("account_id" varchar(36) PRIMARY KEY NOT NULL, "categories" text NOT NULL, "enabled_at" varchar(24) NOT NULL, "enabled_by" varchar(36) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_blind_index" ("account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "property_name" varchar(100) NOT NULL, "record_id" varchar(36) NOT NULL, "token" varchar(16) NOT NULL, PRIMARY KEY ("account_id", "object_type", "property_name", "record_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_blind_index_lookup_idx" ON "crm_blind_index" ("account_id", "object_type", "property_name", "token", "record_id") `,
    );
    await queryRunner.query(`DROP INDEX "crm_property_account_type_name_uq"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_crm_property" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "name" varchar(100) NOT NULL, "label" varchar(200) NOT NULL, "group_name" varchar(100) NOT NULL, "description" varchar(1000) NOT NULL DEFAULT (''), "type" varchar(16) NOT NULL, "options" text NOT NULL, "is_unique" boolean NOT NULL DEFAULT (0), "is_required" boolean NOT NULL DEFAULT (0), "formula" varchar(1000), "score_rules" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "sensitive" boolean NOT NULL DEFAULT (0), "phi" boolean NOT NULL DEFAULT (0), "highly_sensitive" boolean NOT NULL DEFAULT (0), "value_access" varchar(16) NOT NULL DEFAULT ('everyone'))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_crm_property"("id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at") SELECT "id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at" FROM "crm_property"`,
    );
    await queryRunner.query(`DROP TABLE "crm_property"`);
    await queryRunner.query(`ALTER TABLE "temporary_crm_property" RENAME TO "crm_property"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_property_account_type_name_uq" ON "crm_property" ("account_id", "object_type", "name") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_property_account_type_name_uq"`);
    await queryRunner.query(`ALTER TABLE "crm_property" RENAME TO "temporary_crm_property"`);
    await queryRunner.query(
      `CREATE TABLE "crm_property" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "name" varchar(100) NOT NULL, "label" varchar(200) NOT NULL, "group_name" varchar(100) NOT NULL, "description" varchar(1000) NOT NULL DEFAULT (''), "type" varchar(16) NOT NULL, "options" text NOT NULL, "is_unique" boolean NOT NULL DEFAULT (0), "is_required" boolean NOT NULL DEFAULT (0), "formula" varchar(1000), "score_rules" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "crm_property"("id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at") SELECT "id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at" FROM "temporary_crm_property"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_crm_property"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_property_account_type_name_uq" ON "crm_property" ("account_id", "object_type", "name") `,
    );
    await queryRunner.query(`DROP INDEX "crm_blind_index_lookup_idx"`);
    await queryRunner.query(`DROP TABLE "crm_blind_index"`);
    await queryRunner.query(`DROP TABLE "sensitive_data_setting"`);
  }
}
