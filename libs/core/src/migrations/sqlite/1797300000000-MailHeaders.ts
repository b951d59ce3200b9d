import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailHeaders1797300000000 implements MigrationInterface {
  name = 'MailHeaders1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_due_idx"`);
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_account_idx"`);
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_message_id_idx"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_custos_mail_outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "kind" varchar(100) NOT NULL, "message_id" varchar(255) NOT NULL, "from_address" varchar(320) NOT NULL, "recipients" text NOT NULL, "subject" varchar(998) NOT NULL, "text_body" text NOT NULL, "html_body" text, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" varchar(24) NOT NULL, "claimed_until" varchar(24), "last_error" varchar(64), "created_at" varchar(24) NOT NULL, "sent_at" varchar(24), "headers" text, "return_path" varchar(320))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_custos_mail_outbox"("id", "account_id", "kind", "message_id", "from_address", "recipients", "subject", "text_body", "html_body", "status", "attempts", "next_attempt_at", "claimed_until", "last_error", "created_at", "sent_at") SELECT "id", "account_id", "kind", "message_id", "from_address", "recipients", "subject", "text_body", "html_body", "status", "attempts", "next_attempt_at", "claimed_until", "last_error", "created_at", "sent_at" FROM "custos_mail_outbox"`,
    );
    await queryRunner.query(`DROP TABLE "custos_mail_outbox"`);
    await queryRunner.query(
      `ALTER TABLE "temporary_custos_mail_outbox" RENAME TO "custos_mail_outbox"`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_mail_outbox_due_idx" ON "custos_mail_outbox" ("status", "next_attempt_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_mail_outbox_account_idx" ON "custos_mail_outbox" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "custos_mail_outbox_message_id_idx" ON "custos_mail_outbox" ("message_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_message_id_idx"`);
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_account_idx"`);
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_due_idx"`);
    await queryRunner.query(
      `ALTER TABLE "custos_mail_outbox" RENAME TO "temporary_custos_mail_outbox"`,
    );
    await queryRunner.query(
      `CREATE TABLE "custos_mail_outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "kind" varchar(100) NOT NULL, "message_id" varchar(255) NOT NULL, "from_address" varchar(320) NOT NULL, "recipients" text NOT NULL, "subject" varchar(998) NOT NULL, "text_body" text NOT NULL, "html_body" text, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" varchar(24) NOT NULL, "claimed_until" varchar(24), "last_error" varchar(64), "created_at" varchar(24) NOT NULL, "sent_at" varchar(24))`,
    );
    await queryRunner.query(
      `INSERT INTO "custos_mail_outbox"("id", "account_id", "kind", "message_id", "from_address", "recipients", "subject", "text_body", "html_body", "status", "attempts", "next_attempt_at", "claimed_until", "last_error", "created_at", "sent_at") SELECT "id", "account_id", "kind", "message_id", "from_address", "recipients", "subject", "text_body", "html_body", "status", "attempts", "next_attempt_at", "claimed_until", "last_error", "created_at", "sent_at" FROM "temporary_custos_mail_outbox"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_custos_mail_outbox"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "custos_mail_outbox_message_id_idx" ON "custos_mail_outbox" ("message_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_mail_outbox_account_idx" ON "custos_mail_outbox" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_mail_outbox_due_idx" ON "custos_mail_outbox" ("status", "next_attempt_at") `,
    );
  }
}
