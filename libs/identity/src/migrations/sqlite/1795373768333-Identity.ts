import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1795373768333 implements MigrationInterface {
  name = 'Identity1795373768333';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "identity_account" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_business_unit" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "parent_id" varchar(36), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_business_unit_account_parent_idx" ON "identity_business_unit" ("account_id", "parent_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_business_unit_account_name_uq" ON "identity_business_unit" ("account_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_membership" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "super_admin" boolean NOT NULL DEFAULT (0), "status" varchar(16) NOT NULL DEFAULT ('active'), "business_unit_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_account_bu_idx" ON "identity_membership" ("account_id", "business_unit_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_user_idx" ON "identity_membership" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_membership_account_user_uq" ON "identity_membership" ("account_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "display_name" varchar(200) NOT NULL, "password_hash" varchar(200), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_user_email_uq" ON "identity_user" ("email") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_api_key" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "secret_hash" varchar(64) NOT NULL, "secret_hint" varchar(12) NOT NULL, "scopes" text NOT NULL, "created_by_user_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "expires_at" varchar(24), "last_used_at" varchar(24), "revoked_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_api_key_account_idx" ON "identity_api_key" ("account_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_team_member" ("team_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "account_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, PRIMARY KEY ("team_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_team_member_account_user_idx" ON "identity_team_member" ("account_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_team" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "description" varchar(1000) NOT NULL DEFAULT (''), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_team_account_name_uq" ON "identity_team" ("account_id", "name") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "identity_team_account_name_uq"`);
    await queryRunner.query(`DROP TABLE "identity_team"`);
    await queryRunner.query(`DROP INDEX "identity_team_member_account_user_idx"`);
    await queryRunner.query(`DROP TABLE "identity_team_member"`);
    await queryRunner.query(`DROP INDEX "identity_api_key_account_idx"`);
    await queryRunner.query(`DROP TABLE "identity_api_key"`);
    await queryRunner.query(`DROP INDEX "identity_user_email_uq"`);
    await queryRunner.query(`DROP TABLE "identity_user"`);
    await queryRunner.query(`DROP INDEX "identity_membership_account_user_uq"`);
    await queryRunner.query(`DROP INDEX "identity_membership_user_idx"`);
    await queryRunner.query(`DROP INDEX "identity_membership_account_bu_idx"`);
    await queryRunner.query(`DROP TABLE "identity_membership"`);
    await queryRunner.query(`DROP INDEX "identity_business_unit_account_name_uq"`);
    await queryRunner.query(`DROP INDEX "identity_business_unit_account_parent_idx"`);
    await queryRunner.query(`DROP TABLE "identity_business_unit"`);
    await queryRunner.query(`DROP TABLE "identity_account"`);
  }
}
