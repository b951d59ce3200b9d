import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailHeaders1797300000000 implements MigrationInterface {
  name = 'MailHeaders1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "custos_mail_outbox" ADD "headers" text`);
    await queryRunner.query(
      `ALTER TABLE "custos_mail_outbox" ADD "return_path" character varying(320)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "custos_mail_outbox" DROP COLUMN "return_path"`);
    await queryRunner.query(`ALTER TABLE "custos_mail_outbox" DROP COLUMN "headers"`);
  }
}
