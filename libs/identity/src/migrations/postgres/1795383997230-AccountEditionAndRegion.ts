import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountEditionAndRegion1795383997230 implements MigrationInterface {
  name = 'AccountEditionAndRegion1795383997230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "identity_account" ADD "edition" character varying(20) NOT NULL DEFAULT 'enterprise'`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_account" ADD "data_region" character varying(32) NOT NULL DEFAULT 'eu'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "identity_account" DROP COLUMN "data_region"`);
    await queryRunner.query(`ALTER TABLE "identity_account" DROP COLUMN "edition"`);
  }
}
