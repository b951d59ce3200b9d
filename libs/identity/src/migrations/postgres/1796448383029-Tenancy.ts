import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Tenancy1796448383029 implements MigrationInterface {
  name = 'Tenancy1796448383029';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "identity_membership" ADD "invited_login_id" character varying(36)`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_membership" ADD "invited_display_name" character varying(200)`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_membership" ADD "credential_generation" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_user" ADD "credential_generation" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_support_access_grant" ADD "support_user_email" character varying(320)`,
    );
    // Grants made before this migration were made to a login: its email is the one granted.
    await queryRunner.query(
      `UPDATE "identity_support_access_grant" g SET "support_user_email" = COALESCE((SELECT u."email" FROM "identity_user" u WHERE u."id" = g."support_user_id"), '')`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_support_access_grant" ALTER COLUMN "support_user_email" SET NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "public"."identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(
      `ALTER TABLE "identity_support_access_grant" ALTER COLUMN "support_user_id" DROP NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_membership_invited_login_account_uq" ON "identity_membership"  ("invited_login_id", "account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_email_account_idx" ON "identity_support_access_grant"  ("support_user_email", "account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant"  ("support_user_id", "account_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(
      `DROP INDEX "public"."identity_support_access_grant_email_account_idx"`,
    );
    await queryRunner.query(`DROP INDEX "public"."identity_membership_invited_login_account_uq"`);
    await queryRunner.query(
      `ALTER TABLE "identity_support_access_grant" ALTER COLUMN "support_user_id" SET NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant" USING btree ("account_id", "support_user_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_support_access_grant" DROP COLUMN "support_user_email"`,
    );
    await queryRunner.query(`ALTER TABLE "identity_user" DROP COLUMN "credential_generation"`);
    await queryRunner.query(
      `ALTER TABLE "identity_membership" DROP COLUMN "credential_generation"`,
    );
    await queryRunner.query(`ALTER TABLE "identity_membership" DROP COLUMN "invited_display_name"`);
    await queryRunner.query(`ALTER TABLE "identity_membership" DROP COLUMN "invited_login_id"`);
  }
}
