import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FormConsents1796496210639 implements MigrationInterface {
  name = 'FormConsents1796496210639';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_form_account_idx"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_crm_form" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "object_type" varchar(32) NOT NULL, "fields" text NOT NULL, "notify" text NOT NULL, "active" boolean NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "consents" text NOT NULL DEFAULT ('[]'))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_crm_form"("id", "account_id", "name", "object_type", "fields", "notify", "active", "created_at", "updated_at") SELECT "id", "account_id", "name", "object_type", "fields", "notify", "active", "created_at", "updated_at" FROM "crm_form"`,
    );
    await queryRunner.query(`DROP TABLE "crm_form"`);
    await queryRunner.query(`ALTER TABLE "temporary_crm_form" RENAME TO "crm_form"`);
    await queryRunner.query(
      `CREATE INDEX "crm_form_account_idx" ON "crm_form" ("account_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_form_account_idx"`);
    await queryRunner.query(`ALTER TABLE "crm_form" RENAME TO "temporary_crm_form"`);
    await queryRunner.query(
      `CREATE TABLE "crm_form" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "object_type" varchar(32) NOT NULL, "fields" text NOT NULL, "notify" text NOT NULL, "active" boolean NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "crm_form"("id", "account_id", "name", "object_type", "fields", "notify", "active", "created_at", "updated_at") SELECT "id", "account_id", "name", "object_type", "fields", "notify", "active", "created_at", "updated_at" FROM "temporary_crm_form"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_crm_form"`);
    await queryRunner.query(
      `CREATE INDEX "crm_form_account_idx" ON "crm_form" ("account_id", "id") `,
    );
  }
}
