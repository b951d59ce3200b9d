import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Forms1796272919192 implements MigrationInterface {
  name = 'Forms1796272919192';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_form_submission" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "form_id" varchar(36) NOT NULL, "status" varchar(16) NOT NULL, "record_id" varchar(36), "error_code" varchar(100), "field_names" text NOT NULL, "submitted_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_form_submission_form_idx" ON "crm_form_submission" ("account_id", "form_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_form" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "object_type" varchar(32) NOT NULL, "fields" text NOT NULL, "notify" text NOT NULL, "active" boolean NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_form_account_idx" ON "crm_form" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_notification" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "recipient_user_id" varchar(36) NOT NULL, "kind" varchar(32) NOT NULL, "form_id" varchar(36) NOT NULL, "submission_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "record_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "read_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_notification_form_idx" ON "crm_notification" ("account_id", "form_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_notification_recipient_idx" ON "crm_notification" ("account_id", "recipient_user_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_notification_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "crm_notification_form_idx"`);
    await queryRunner.query(`DROP TABLE "crm_notification"`);
    await queryRunner.query(`DROP INDEX "crm_form_account_idx"`);
    await queryRunner.query(`DROP TABLE "crm_form"`);
    await queryRunner.query(`DROP INDEX "crm_form_submission_form_idx"`);
    await queryRunner.query(`DROP TABLE "crm_form_submission"`);
  }
}
