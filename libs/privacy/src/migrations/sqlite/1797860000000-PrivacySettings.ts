import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-account privacy settings: the request clock's time zone and public holidays. */
export class PrivacySettings1797860000000 implements MigrationInterface {
  name = 'PrivacySettings1797860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_settings" ("account_id" varchar(36) PRIMARY KEY NOT NULL, "time_zone" varchar(64) NOT NULL, "holidays" text NOT NULL, "updated_by" varchar(64) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "privacy_settings"`);
  }
}
