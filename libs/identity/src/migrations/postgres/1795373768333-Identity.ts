import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1795373768333 implements MigrationInterface {
  name = 'Identity1795373768333';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "identity_account" ("id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "identity_account_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_business_unit" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "parent_id" character varying(36), "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "identity_business_unit_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_business_unit_account_parent_idx" ON "identity_business_unit"  ("account_id", "parent_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_business_unit_account_name_uq" ON "identity_business_unit"  ("account_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_membership" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "super_admin" boolean NOT NULL DEFAULT false, "status" character varying(16) NOT NULL DEFAULT 'active', "business_unit_id" character varying(36) NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "identity_membership_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_account_bu_idx" ON "identity_membership"  ("account_id", "business_unit_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_user_idx" ON "identity_membership"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_membership_account_user_uq" ON "identity_membership"  ("account_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_user" ("id" character varying(36) NOT NULL, "email" character varying(320) NOT NULL, "display_name" character varying(200) NOT NULL, "password_hash" character varying(200), "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "identity_user_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_user_email_uq" ON "identity_user"  ("email") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_api_key" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "secret_hash" character varying(64) NOT NULL, "secret_hint" character varying(12) NOT NULL, "scopes" text NOT NULL, "created_by_user_id" character varying(36) NOT NULL, "created_at" character varying(24) NOT NULL, "expires_at" character varying(24), "last_used_at" character varying(24), "revoked_at" character varying(24), CONSTRAINT "identity_api_key_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_api_key_account_idx" ON "identity_api_key"  ("account_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_team_member" ("team_id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "identity_team_member_pk" PRIMARY KEY ("team_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_team_member_account_user_idx" ON "identity_team_member"  ("account_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_team" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "description" character varying(1000) NOT NULL DEFAULT '', "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "identity_team_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_team_account_name_uq" ON "identity_team"  ("account_id", "name") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."identity_team_account_name_uq"`);
    await queryRunner.query(`DROP TABLE "identity_team"`);
    await queryRunner.query(`DROP INDEX "public"."identity_team_member_account_user_idx"`);
    await queryRunner.query(`DROP TABLE "identity_team_member"`);
    await queryRunner.query(`DROP INDEX "public"."identity_api_key_account_idx"`);
    await queryRunner.query(`DROP TABLE "identity_api_key"`);
    await queryRunner.query(`DROP INDEX "public"."identity_user_email_uq"`);
    await queryRunner.query(`DROP TABLE "identity_user"`);
    await queryRunner.query(`DROP INDEX "public"."identity_membership_account_user_uq"`);
    await queryRunner.query(`DROP INDEX "public"."identity_membership_user_idx"`);
    await queryRunner.query(`DROP INDEX "public"."identity_membership_account_bu_idx"`);
    await queryRunner.query(`DROP TABLE "identity_membership"`);
    await queryRunner.query(`DROP INDEX "public"."identity_business_unit_account_name_uq"`);
    await queryRunner.query(`DROP INDEX "public"."identity_business_unit_account_parent_idx"`);
    await queryRunner.query(`DROP TABLE "identity_business_unit"`);
    await queryRunner.query(`DROP TABLE "identity_account"`);
  }
}
