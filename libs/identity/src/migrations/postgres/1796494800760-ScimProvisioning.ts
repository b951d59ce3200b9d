import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ScimProvisioning1796494800760 implements MigrationInterface {
  name = 'ScimProvisioning1796494800760';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "identity_scim_token" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "secret_hash" character varying(64) NOT NULL, "secret_hint" character varying(12) NOT NULL, "created_by_user_id" character varying(36) NOT NULL, "created_at" character varying(24) NOT NULL, "last_used_at" character varying(24), "revoked_at" character varying(24), CONSTRAINT "identity_scim_token_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_scim_token_account_idx" ON "identity_scim_token"  ("account_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_scim_user" ("account_id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "external_id" character varying(255), "display_name" character varying(200), "given_name" character varying(200), "family_name" character varying(200), "work_email" character varying(320), "title" character varying(200), "department" character varying(200), "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "identity_scim_user_pk" PRIMARY KEY ("account_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_scim_user_account_email_idx" ON "identity_scim_user"  ("account_id", "work_email") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_scim_user_account_external_uq" ON "identity_scim_user"  ("account_id", "external_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."identity_scim_user_account_external_uq"`);
    await queryRunner.query(`DROP INDEX "public"."identity_scim_user_account_email_idx"`);
    await queryRunner.query(`DROP TABLE "identity_scim_user"`);
    await queryRunner.query(`DROP INDEX "public"."identity_scim_token_account_idx"`);
    await queryRunner.query(`DROP TABLE "identity_scim_token"`);
  }
}
