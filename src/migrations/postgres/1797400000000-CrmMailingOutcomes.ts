import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Mailings: who sent them (to queue a lost job again), why one failed, recipients by their mail (bounces). */
export class CrmMailingOutcomes1797400000000 implements MigrationInterface {
  name = 'CrmMailingOutcomes1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_mailing" ADD "sender" text`);
    await queryRunner.query(`ALTER TABLE "crm_mailing" ADD "failure_reason" character varying(64)`);
    await queryRunner.query(
      `CREATE INDEX "crm_mailing_recipient_mail_idx" ON "crm_mailing_recipient" ("mail_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_mailing_recipient_mail_idx"`);
    await queryRunner.query(`ALTER TABLE "crm_mailing" DROP COLUMN "failure_reason"`);
    await queryRunner.query(`ALTER TABLE "crm_mailing" DROP COLUMN "sender"`);
  }
}
