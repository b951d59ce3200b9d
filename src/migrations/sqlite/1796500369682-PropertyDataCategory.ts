import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PropertyDataCategory1796500369682 implements MigrationInterface {
  name = 'PropertyDataCategory1796500369682';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_property_account_type_name_uq"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_crm_property" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "name" varchar(100) NOT NULL, "label" varchar(200) NOT NULL, "group_name" varchar(100) NOT NULL, "description" varchar(1000) NOT NULL DEFAULT (''), "type" varchar(16) NOT NULL, "options" text NOT NULL, "is_unique" boolean NOT NULL DEFAULT (0), "is_required" boolean NOT NULL DEFAULT (0), "formula" varchar(1000), "score_rules" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "sensitive" boolean NOT NULL DEFAULT (0), "phi" boolean NOT NULL DEFAULT (0), "highly_sensitive" boolean NOT NULL DEFAULT (0), "value_access" varchar(16) NOT NULL DEFAULT ('everyone'), "indexed" boolean NOT NULL DEFAULT (0), "index_state" varchar(16), "data_category" varchar(64))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_crm_property"("id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at", "sensitive", "phi", "highly_sensitive", "value_access", "indexed", "index_state") SELECT "id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at", "sensitive", "phi", "highly_sensitive", "value_access", "indexed", "index_state" FROM "crm_property"`,
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
      `CREATE TABLE "crm_property" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "name" varchar(100) NOT NULL, "label" varchar(200) NOT NULL, "group_name" varchar(100) NOT NULL, "description" varchar(1000) NOT NULL DEFAULT (''), "type" varchar(16) NOT NULL, "options" text NOT NULL, "is_unique" boolean NOT NULL DEFAULT (0), "is_required" boolean NOT NULL DEFAULT (0), "formula" varchar(1000), "score_rules" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "sensitive" boolean NOT NULL DEFAULT (0), "phi" boolean NOT NULL DEFAULT (0), "highly_sensitive" boolean NOT NULL DEFAULT (0), "value_access" varchar(16) NOT NULL DEFAULT ('everyone'), "indexed" boolean NOT NULL DEFAULT (0), "index_state" varchar(16))`,
    );
    await queryRunner.query(
      `INSERT INTO "crm_property"("id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at", "sensitive", "phi", "highly_sensitive", "value_access", "indexed", "index_state") SELECT "id", "account_id", "object_type", "name", "label", "group_name", "description", "type", "options", "is_unique", "is_required", "formula", "score_rules", "created_at", "updated_at", "sensitive", "phi", "highly_sensitive", "value_access", "indexed", "index_state" FROM "temporary_crm_property"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_crm_property"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_property_account_type_name_uq" ON "crm_property" ("account_id", "object_type", "name") `,
    );
  }
}
