import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Erasures (their progress) and the privacy log. */
export class PrivacyErasure1797500000001 implements MigrationInterface {
  name = 'PrivacyErasure1797500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_erasure" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "request_id" varchar(36) NOT NULL, "status" varchar(16) NOT NULL, "contact_ids" text NOT NULL, "contacts_done" integer NOT NULL DEFAULT (0), "contacts_anonymised" integer NOT NULL DEFAULT (0), "subject_values" text, "values_done" boolean NOT NULL DEFAULT (0), "created_by" varchar(64) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "completed_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_erasure_status_idx" ON "privacy_erasure" ("status", "account_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_erasure_request_uq" ON "privacy_erasure" ("account_id", "request_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_log" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "request_id" varchar(36) NOT NULL, "action" varchar(32) NOT NULL, "subject" varchar(200) NOT NULL, "detail" text NOT NULL, "actor_id" varchar(64) NOT NULL, "created_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_log_request_idx" ON "privacy_log" ("account_id", "request_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_log_account_idx" ON "privacy_log" ("account_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "privacy_log_account_idx"`);
    await queryRunner.query(`DROP INDEX "privacy_log_request_idx"`);
    await queryRunner.query(`DROP TABLE "privacy_log"`);
    await queryRunner.query(`DROP INDEX "privacy_erasure_request_uq"`);
    await queryRunner.query(`DROP INDEX "privacy_erasure_status_idx"`);
    await queryRunner.query(`DROP TABLE "privacy_erasure"`);
  }
}
