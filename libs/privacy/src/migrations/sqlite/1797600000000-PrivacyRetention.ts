import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention policies and the contacts each has erased. */
export class PrivacyRetention1797600000000 implements MigrationInterface {
  name = 'PrivacyRetention1797600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_retention_policy" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "object_type" varchar(32) NOT NULL, "condition" varchar(32) NOT NULL, "after_days" integer NOT NULL, "action" varchar(16) NOT NULL, "enabled" boolean NOT NULL, "created_by" varchar(64) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "last_run_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_retention_policy_account_idx" ON "privacy_retention_policy" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_retention_done" ("account_id" varchar(36) NOT NULL, "policy_id" varchar(36) NOT NULL, "contact_id" varchar(36) NOT NULL, "outcome" varchar(16) NOT NULL, "done_at" varchar(24) NOT NULL, PRIMARY KEY ("account_id", "policy_id", "contact_id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "privacy_retention_done"`);
    await queryRunner.query(`DROP INDEX "privacy_retention_policy_account_idx"`);
    await queryRunner.query(`DROP TABLE "privacy_retention_policy"`);
  }
}
