import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention policies and the contacts each has erased. */
export class PrivacyRetention1797600000000 implements MigrationInterface {
  name = 'PrivacyRetention1797600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_retention_policy" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "object_type" character varying(32) NOT NULL, "condition" character varying(32) NOT NULL, "after_days" integer NOT NULL, "action" character varying(16) NOT NULL, "enabled" boolean NOT NULL, "created_by" character varying(64) NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "last_run_at" character varying(24), CONSTRAINT "privacy_retention_policy_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_retention_policy_account_idx" ON "privacy_retention_policy" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_retention_done" ("account_id" character varying(36) NOT NULL, "policy_id" character varying(36) NOT NULL, "contact_id" character varying(36) NOT NULL, "outcome" character varying(16) NOT NULL, "done_at" character varying(24) NOT NULL, CONSTRAINT "privacy_retention_done_pk" PRIMARY KEY ("account_id", "policy_id", "contact_id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "privacy_retention_done"`);
    await queryRunner.query(`DROP INDEX "public"."privacy_retention_policy_account_idx"`);
    await queryRunner.query(`DROP TABLE "privacy_retention_policy"`);
  }
}
