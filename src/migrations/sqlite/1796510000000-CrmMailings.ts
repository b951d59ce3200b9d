import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmMailings1796510000000 implements MigrationInterface {
  name = 'CrmMailings1796510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_mailing" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "purpose_id" varchar(36) NOT NULL, "segment_id" varchar(36), "filter_groups" text NOT NULL, "subject_template" varchar(998) NOT NULL, "body_template" text NOT NULL, "status" varchar(16) NOT NULL, "created_by" varchar(36), "collected_after" varchar(36), "collected" boolean NOT NULL DEFAULT (0), "created_at" varchar(24) NOT NULL, "sent_at" varchar(24), "finished_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_mailing_account_idx" ON "crm_mailing" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_mailing_recipient" ("mailing_id" varchar(36) NOT NULL, "contact_id" varchar(36) NOT NULL, "account_id" varchar(36) NOT NULL, "status" varchar(16) NOT NULL, "reason" varchar(16), "mail_id" varchar(36), "updated_at" varchar(24) NOT NULL, CONSTRAINT "crm_mailing_recipient_pk" PRIMARY KEY ("mailing_id", "contact_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_mailing_recipient_status_idx" ON "crm_mailing_recipient" ("mailing_id", "status", "contact_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_mailing_recipient_status_idx"`);
    await queryRunner.query(`DROP TABLE "crm_mailing_recipient"`);
    await queryRunner.query(`DROP INDEX "crm_mailing_account_idx"`);
    await queryRunner.query(`DROP TABLE "crm_mailing"`);
  }
}
