import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SupportAccess1795384389258 implements MigrationInterface {
  name = 'SupportAccess1795384389258';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "identity_support_access_grant" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "support_user_id" varchar(36) NOT NULL, "reason" varchar(500) NOT NULL, "granted_by_user_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "expires_at" varchar(24) NOT NULL, "revoked_at" varchar(24), "revoked_by_user_id" varchar(36))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_user_account_idx" ON "identity_support_access_grant" ("support_user_id", "account_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_support_access_grant_account_idx" ON "identity_support_access_grant" ("account_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_account_idx"`);
    await queryRunner.query(`DROP INDEX "identity_support_access_grant_user_account_idx"`);
    await queryRunner.query(`DROP TABLE "identity_support_access_grant"`);
  }
}
