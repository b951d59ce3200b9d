import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Forms1796272919192 implements MigrationInterface {
  name = 'Forms1796272919192';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_form_submission" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "form_id" character varying(36) NOT NULL, "status" character varying(16) NOT NULL, "record_id" character varying(36), "error_code" character varying(100), "field_names" text NOT NULL, "submitted_at" character varying(24) NOT NULL, CONSTRAINT "crm_form_submission_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_form_submission_form_idx" ON "crm_form_submission"  ("account_id", "form_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_form" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "object_type" character varying(32) NOT NULL, "fields" text NOT NULL, "notify" text NOT NULL, "active" boolean NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "crm_form_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_form_account_idx" ON "crm_form"  ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_notification" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "recipient_user_id" character varying(36) NOT NULL, "kind" character varying(32) NOT NULL, "form_id" character varying(36) NOT NULL, "submission_id" character varying(36) NOT NULL, "object_type" character varying(32) NOT NULL, "record_id" character varying(36) NOT NULL, "created_at" character varying(24) NOT NULL, "read_at" character varying(24), CONSTRAINT "crm_notification_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_notification_form_idx" ON "crm_notification"  ("account_id", "form_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_notification_recipient_idx" ON "crm_notification"  ("account_id", "recipient_user_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."crm_notification_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_notification_form_idx"`);
    await queryRunner.query(`DROP TABLE "crm_notification"`);
    await queryRunner.query(`DROP INDEX "public"."crm_form_account_idx"`);
    await queryRunner.query(`DROP TABLE "crm_form"`);
    await queryRunner.query(`DROP INDEX "public"."crm_form_submission_form_idx"`);
    await queryRunner.query(`DROP TABLE "crm_form_submission"`);
  }
}
