import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SharedNotifications1796460704521 implements MigrationInterface {
  name = 'SharedNotifications1796460704521';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_notification" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "recipient_user_id" varchar(36) NOT NULL, "kind" varchar(64) NOT NULL, "topic_id" varchar(36), "refs" text NOT NULL, "created_at" varchar(24) NOT NULL, "read_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_notification_topic_idx" ON "custos_notification" ("account_id", "kind", "topic_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_notification_recipient_idx" ON "custos_notification" ("account_id", "recipient_user_id", "id") `,
    );
    // Form notifications move into the shared inbox, their columns becoming references.
    await queryRunner.query(
      `INSERT INTO "custos_notification"("id", "account_id", "recipient_user_id", "kind", "topic_id", "refs", "created_at", "read_at") SELECT "id", "account_id", "recipient_user_id", "kind", "form_id", json_object('formId', "form_id", 'submissionId', "submission_id", 'objectType', "object_type", 'recordId', "record_id"), "created_at", "read_at" FROM "crm_notification"`,
    );
    await queryRunner.query(`DROP INDEX "crm_notification_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "crm_notification_form_idx"`);
    await queryRunner.query(`DROP TABLE "crm_notification"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_notification" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "recipient_user_id" varchar(36) NOT NULL, "kind" varchar(32) NOT NULL, "form_id" varchar(36) NOT NULL, "submission_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "record_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL, "read_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_notification_form_idx" ON "crm_notification" ("account_id", "form_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_notification_recipient_idx" ON "crm_notification" ("account_id", "recipient_user_id", "id") `,
    );
    await queryRunner.query(
      `INSERT INTO "crm_notification"("id", "account_id", "recipient_user_id", "kind", "form_id", "submission_id", "object_type", "record_id", "created_at", "read_at") SELECT "id", "account_id", "recipient_user_id", "kind", "refs" ->> '$.formId', "refs" ->> '$.submissionId', "refs" ->> '$.objectType', "refs" ->> '$.recordId', "created_at", "read_at" FROM "custos_notification" WHERE "kind" = 'form_submission'`,
    );
    await queryRunner.query(`DROP INDEX "custos_notification_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "custos_notification_topic_idx"`);
    await queryRunner.query(`DROP TABLE "custos_notification"`);
  }
}
