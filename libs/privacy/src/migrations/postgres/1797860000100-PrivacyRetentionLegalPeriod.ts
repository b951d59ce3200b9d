import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A retention policy on deals may end the legal period of closed-won deals after some years. */
export class PrivacyRetentionLegalPeriod1797860000100 implements MigrationInterface {
  name = 'PrivacyRetentionLegalPeriod1797860000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "privacy_retention_policy" ADD "legal_period_years" integer`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "privacy_retention_policy" DROP COLUMN "legal_period_years"`,
    );
  }
}
