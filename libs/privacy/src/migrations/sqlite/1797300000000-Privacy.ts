import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Privacy1797300000000 implements MigrationInterface {
  name = 'Privacy1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_request" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "type" varchar(24) NOT NULL, "status" varchar(24) NOT NULL, "channel" varchar(16) NOT NULL, "subject_email" varchar(320), "subject_name" varchar(200), "subject_phone" varchar(40), "subject_contact_id" varchar(36), "assignee_user_id" varchar(36), "received_at" varchar(24) NOT NULL, "received_on" varchar(10) NOT NULL, "due_on" varchar(10) NOT NULL, "extended" boolean NOT NULL DEFAULT (0), "extension_reason" varchar(2000), "paused_days" integer NOT NULL DEFAULT (0), "paused_at" varchar(24), "resume_status" varchar(24), "resolution" varchar(2000), "duplicate_of_id" varchar(36), "possible_duplicate_of_id" varchar(36), "created_by" varchar(64) NOT NULL, "closed_at" varchar(24), "version" integer NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_request_due_idx" ON "privacy_request" ("account_id", "status", "due_on") `,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_request_subject_idx" ON "privacy_request" ("account_id", "subject_email", "type", "received_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_activity" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "purposes" text NOT NULL, "lawful_basis" varchar(24) NOT NULL, "controller" varchar(1000) NOT NULL, "dpo" varchar(1000), "subject_categories" text NOT NULL, "data_categories" text NOT NULL, "recipients" text NOT NULL, "transfers" varchar(2000), "retention" varchar(2000) NOT NULL, "security_measures" varchar(4000) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_activity_name_uq" ON "privacy_activity" ("account_id", "name") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "privacy_activity_name_uq"`);
    await queryRunner.query(`DROP TABLE "privacy_activity"`);
    await queryRunner.query(`DROP INDEX "privacy_request_due_idx"`);
    await queryRunner.query(`DROP INDEX "privacy_request_subject_idx"`);
    await queryRunner.query(`DROP TABLE "privacy_request"`);
  }
}
