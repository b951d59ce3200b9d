import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SupportAccess1795384389258 implements MigrationInterface {
  name = 'SupportAccess1795384389258';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "identity_support_access_grant" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "support_user_id" character varying(36) NOT NULL, "reason" character varying(500) NOT NULL, "granted_by_user_id" character varying(36) NOT NULL, "created_at" character varying(24) NOT NULL, "expires_at" character varying(24) NOT NULL, "revoked_at" character varying(24), "revoked_by_user_id" character varying(36), CONSTRAINT "identity_support_access_grant_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant"  ("support_user_id", "account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_account_idx" ON "identity_support_access_grant"  ("account_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."identity_support_access_grant_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(`DROP TABLE "identity_support_access_grant"`);
  }
}
