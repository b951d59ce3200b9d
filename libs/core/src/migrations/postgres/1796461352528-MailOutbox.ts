import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailOutbox1796461352528 implements MigrationInterface {
  name = 'MailOutbox1796461352528';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_mail_outbox" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "kind" character varying(100) NOT NULL, "message_id" character varying(255) NOT NULL, "from_address" character varying(320) NOT NULL, "recipients" text NOT NULL, "subject" character varying(998) NOT NULL, "text_body" text NOT NULL, "html_body" text, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" character varying(24) NOT NULL, "claimed_until" character varying(24), "last_error" character varying(64), "created_at" character varying(24) NOT NULL, "sent_at" character varying(24), CONSTRAINT "PK_2777b75ad24feb8a01f812498ef" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "custos_mail_outbox_message_id_idx" ON "custos_mail_outbox"  ("message_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_mail_outbox_account_idx" ON "custos_mail_outbox"  ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_mail_outbox_due_idx" ON "custos_mail_outbox"  ("status", "next_attempt_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."custos_mail_outbox_due_idx"`);
    await queryRunner.query(`DROP INDEX "public"."custos_mail_outbox_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."custos_mail_outbox_message_id_idx"`);
    await queryRunner.query(`DROP TABLE "custos_mail_outbox"`);
  }
}
