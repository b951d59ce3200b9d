import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FormConsents1796496210639 implements MigrationInterface {
  name = 'FormConsents1796496210639';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_form" ADD "consents" text NOT NULL DEFAULT '[]'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_form" DROP COLUMN "consents"`);
  }
}
