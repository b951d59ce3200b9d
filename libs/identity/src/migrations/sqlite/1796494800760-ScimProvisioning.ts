import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ScimProvisioning1796494800760 implements MigrationInterface {
  name = 'ScimProvisioning1796494800760';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "identity_scim_token" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "secret_hash" varchar(64) NOT NULL, "secret_hint" varchar(12) NOT NULL, "created_by_user_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "last_used_at" varchar(24), "revoked_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_scim_token_account_idx" ON "identity_scim_token" ("account_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_scim_user" ("account_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "external_id" varchar(255), "display_name" varchar(200), "given_name" varchar(200), "family_name" varchar(200), "work_email" varchar(320), "title" varchar(200), "department" varchar(200), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, PRIMARY KEY ("account_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_scim_user_account_email_idx" ON "identity_scim_user" ("account_id", "work_email") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_scim_user_account_external_uq" ON "identity_scim_user" ("account_id", "external_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "identity_scim_user_account_external_uq"`);
    await queryRunner.query(`DROP INDEX "identity_scim_user_account_email_idx"`);
    await queryRunner.query(`DROP TABLE "identity_scim_user"`);
    await queryRunner.query(`DROP INDEX "identity_scim_token_account_idx"`);
    await queryRunner.query(`DROP TABLE "identity_scim_token"`);
  }
}
