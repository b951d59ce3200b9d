import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailOutbox1796461352528 implements MigrationInterface {
  name = 'MailOutbox1796461352528';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_mail_outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "kind" varchar(100) NOT NULL, "message_id" varchar(255) NOT NULL, "from_address" varchar(320) NOT NULL, "recipients" text NOT NULL, "subject" varchar(998) NOT NULL, "text_body" text NOT NULL, "html_body" text, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" varchar(24) NOT NULL, "claimed_until" varchar(24), "last_error" varchar(64), "created_at" varchar(24) NOT NULL, "sent_at" varchar(24))`,
    );
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

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_due_idx"`);
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_account_idx"`);
    await queryRunner.query(`DROP INDEX "custos_mail_outbox_message_id_idx"`);
    await queryRunner.query(`DROP TABLE "custos_mail_outbox"`);
  }
}
