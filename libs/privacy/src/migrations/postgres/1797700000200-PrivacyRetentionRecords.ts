import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention policies reach companies and deals too: a policy's done rows name records. */
export class PrivacyRetentionRecords1797700000200 implements MigrationInterface {
  name = 'PrivacyRetentionRecords1797700000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "privacy_retention_done" RENAME COLUMN "contact_id" TO "record_id"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "privacy_retention_done" RENAME COLUMN "record_id" TO "contact_id"`,
    );
  }
}
