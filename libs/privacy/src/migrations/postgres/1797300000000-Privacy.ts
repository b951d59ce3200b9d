import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Privacy1797300000000 implements MigrationInterface {
  name = 'Privacy1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_request" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "type" character varying(24) NOT NULL, "status" character varying(24) NOT NULL, "channel" character varying(16) NOT NULL, "subject_email" character varying(320), "subject_name" character varying(200), "subject_phone" character varying(40), "subject_contact_id" character varying(36), "assignee_user_id" character varying(36), "received_at" character varying(24) NOT NULL, "received_on" character varying(10) NOT NULL, "due_on" character varying(10) NOT NULL, "extended" boolean NOT NULL DEFAULT false, "extension_reason" character varying(2000), "paused_days" integer NOT NULL DEFAULT '0', "paused_at" character varying(24), "resume_status" character varying(24), "resolution" character varying(2000), "duplicate_of_id" character varying(36), "possible_duplicate_of_id" character varying(36), "created_by" character varying(64) NOT NULL, "closed_at" character varying(24), "version" integer NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "privacy_request_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_request_due_idx" ON "privacy_request"  ("account_id", "status", "due_on") `,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_request_subject_idx" ON "privacy_request"  ("account_id", "subject_email", "type", "received_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_activity" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "purposes" text NOT NULL, "lawful_basis" character varying(24) NOT NULL, "controller" character varying(1000) NOT NULL, "dpo" character varying(1000), "subject_categories" text NOT NULL, "data_categories" text NOT NULL, "recipients" text NOT NULL, "transfers" character varying(2000), "retention" character varying(2000) NOT NULL, "security_measures" character varying(4000) NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "privacy_activity_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_activity_name_uq" ON "privacy_activity"  ("account_id", "name") `,
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
