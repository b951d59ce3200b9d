import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-account privacy settings: the request clock's time zone and public holidays. */
export class PrivacySettings1797860000000 implements MigrationInterface {
  name = 'PrivacySettings1797860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_settings" ("account_id" character varying(36) NOT NULL, "time_zone" character varying(64) NOT NULL, "holidays" text NOT NULL, "updated_by" character varying(64) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "privacy_settings_pk" PRIMARY KEY ("account_id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "privacy_settings"`);
  }
}
