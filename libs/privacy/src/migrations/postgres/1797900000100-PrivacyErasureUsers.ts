import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The users an erasure names (staff and partner users are data subjects too), and its position. */
export class PrivacyErasureUsers1797900000100 implements MigrationInterface {
  name = 'PrivacyErasureUsers1797900000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "privacy_erasure" ADD "user_ids" text`);
    await queryRunner.query(
      `ALTER TABLE "privacy_erasure" ADD "users_done" integer NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "privacy_erasure" DROP COLUMN "users_done"`);
    await queryRunner.query(`ALTER TABLE "privacy_erasure" DROP COLUMN "user_ids"`);
  }
}
