import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Tenancy1796448383029 implements MigrationInterface {
  name = 'Tenancy1796448383029';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "identity_membership_account_user_uq"`);
    await queryRunner.query(`DROP INDEX "identity_membership_user_idx"`);
    await queryRunner.query(`DROP INDEX "identity_membership_account_bu_idx"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_identity_membership" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "super_admin" boolean NOT NULL DEFAULT (0), "status" varchar(16) NOT NULL DEFAULT ('active'), "business_unit_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "invited_login_id" varchar(36), "invited_display_name" varchar(200), "credential_generation" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_identity_membership"("id", "account_id", "user_id", "super_admin", "status", "business_unit_id", "created_at", "updated_at") SELECT "id", "account_id", "user_id", "super_admin", "status", "business_unit_id", "created_at", "updated_at" FROM "identity_membership"`,
    );
    await queryRunner.query(`DROP TABLE "identity_membership"`);
    await queryRunner.query(
      `ALTER TABLE "temporary_identity_membership" RENAME TO "identity_membership"`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_membership_account_user_uq" ON "identity_membership" ("account_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_user_idx" ON "identity_membership" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_account_bu_idx" ON "identity_membership" ("account_id", "business_unit_id") `,
    );
    await queryRunner.query(`DROP INDEX "identity_user_email_uq"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_identity_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "display_name" varchar(200) NOT NULL, "password_hash" varchar(200), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "credential_generation" integer NOT NULL DEFAULT (0))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_identity_user"("id", "email", "display_name", "password_hash", "created_at", "updated_at") SELECT "id", "email", "display_name", "password_hash", "created_at", "updated_at" FROM "identity_user"`,
    );
    await queryRunner.query(`DROP TABLE "identity_user"`);
    await queryRunner.query(`ALTER TABLE "temporary_identity_user" RENAME TO "identity_user"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_user_email_uq" ON "identity_user" ("email") `,
    );
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_account_idx"`);
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_identity_support_access_grant" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "support_user_id" varchar(36) NOT NULL, "reason" varchar(500) NOT NULL, "granted_by_user_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "expires_at" varchar(24) NOT NULL, "revoked_at" varchar(24), "revoked_by_user_id" varchar(36), "support_user_email" varchar(320) NOT NULL)`,
    );
    // Grants made before this migration were made to a login: its email is the one granted.
    await queryRunner.query(
      `INSERT INTO "temporary_identity_support_access_grant"("id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id", "support_user_email") SELECT "id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id", COALESCE((SELECT u."email" FROM "identity_user" u WHERE u."id" = g."support_user_id"), '') FROM "identity_support_access_grant" g`,
    );
    await queryRunner.query(`DROP TABLE "identity_support_access_grant"`);
    await queryRunner.query(
      `ALTER TABLE "temporary_identity_support_access_grant" RENAME TO "identity_support_access_grant"`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_account_idx" ON "identity_support_access_grant" ("account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant" ("support_user_id", "account_id") `,
    );
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_account_idx"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_identity_support_access_grant" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "support_user_id" varchar(36), "reason" varchar(500) NOT NULL, "granted_by_user_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "expires_at" varchar(24) NOT NULL, "revoked_at" varchar(24), "revoked_by_user_id" varchar(36), "support_user_email" varchar(320) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_identity_support_access_grant"("id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id", "support_user_email") SELECT "id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id", "support_user_email" FROM "identity_support_access_grant"`,
    );
    await queryRunner.query(`DROP TABLE "identity_support_access_grant"`);
    await queryRunner.query(
      `ALTER TABLE "temporary_identity_support_access_grant" RENAME TO "identity_support_access_grant"`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_account_idx" ON "identity_support_access_grant" ("account_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_membership_invited_login_account_uq" ON "identity_membership" ("invited_login_id", "account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_email_account_idx" ON "identity_support_access_grant" ("support_user_email", "account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant" ("support_user_id", "account_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_email_account_idx"`);
    await queryRunner.query(`DROP INDEX "identity_membership_invited_login_account_uq"`);
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_account_idx"`);
    await queryRunner.query(
      `ALTER TABLE "identity_support_access_grant" RENAME TO "temporary_identity_support_access_grant"`,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_support_access_grant" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "support_user_id" varchar(36) NOT NULL, "reason" varchar(500) NOT NULL, "granted_by_user_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "expires_at" varchar(24) NOT NULL, "revoked_at" varchar(24), "revoked_by_user_id" varchar(36), "support_user_email" varchar(320) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "identity_support_access_grant"("id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id", "support_user_email") SELECT "id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id", "support_user_email" FROM "temporary_identity_support_access_grant"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_identity_support_access_grant"`);
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_account_idx" ON "identity_support_access_grant" ("account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant" ("support_user_id", "account_id") `,
    );
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_account_idx"`);
    await queryRunner.query(
      `ALTER TABLE "identity_support_access_grant" RENAME TO "temporary_identity_support_access_grant"`,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_support_access_grant" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "support_user_id" varchar(36) NOT NULL, "reason" varchar(500) NOT NULL, "granted_by_user_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "expires_at" varchar(24) NOT NULL, "revoked_at" varchar(24), "revoked_by_user_id" varchar(36))`,
    );
    await queryRunner.query(
      `INSERT INTO "identity_support_access_grant"("id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id") SELECT "id", "account_id", "support_user_id", "reason", "granted_by_user_id", "created_at", "expires_at", "revoked_at", "revoked_by_user_id" FROM "temporary_identity_support_access_grant"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_identity_support_access_grant"`);
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant" ("support_user_id", "account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_account_idx" ON "identity_support_access_grant" ("account_id") `,
    );
    await queryRunner.query(`DROP INDEX "identity_user_email_uq"`);
    await queryRunner.query(`ALTER TABLE "identity_user" RENAME TO "temporary_identity_user"`);
    await queryRunner.query(
      `CREATE TABLE "identity_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "email" varchar(320) NOT NULL, "display_name" varchar(200) NOT NULL, "password_hash" varchar(200), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "identity_user"("id", "email", "display_name", "password_hash", "created_at", "updated_at") SELECT "id", "email", "display_name", "password_hash", "created_at", "updated_at" FROM "temporary_identity_user"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_identity_user"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_user_email_uq" ON "identity_user" ("email") `,
    );
    await queryRunner.query(`DROP INDEX "identity_membership_account_bu_idx"`);
    await queryRunner.query(`DROP INDEX "identity_membership_user_idx"`);
    await queryRunner.query(`DROP INDEX "identity_membership_account_user_uq"`);
    await queryRunner.query(
      `ALTER TABLE "identity_membership" RENAME TO "temporary_identity_membership"`,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_membership" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "super_admin" boolean NOT NULL DEFAULT (0), "status" varchar(16) NOT NULL DEFAULT ('active'), "business_unit_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "identity_membership"("id", "account_id", "user_id", "super_admin", "status", "business_unit_id", "created_at", "updated_at") SELECT "id", "account_id", "user_id", "super_admin", "status", "business_unit_id", "created_at", "updated_at" FROM "temporary_identity_membership"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_identity_membership"`);
    await queryRunner.query(
      `CREATE INDEX "identity_membership_account_bu_idx" ON "identity_membership" ("account_id", "business_unit_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_user_idx" ON "identity_membership" ("user_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_membership_account_user_uq" ON "identity_membership" ("account_id", "user_id") `,
    );
  }
}
