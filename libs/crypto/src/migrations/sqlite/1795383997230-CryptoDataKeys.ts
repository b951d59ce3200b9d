import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CryptoDataKeys1795383997230 implements MigrationInterface {
  name = 'CryptoDataKeys1795383997230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crypto_data_key" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "purpose" varchar(8) NOT NULL, "version" integer NOT NULL, "wrapped_key" varchar(200) NOT NULL, "kek_id" varchar(100) NOT NULL, "active" boolean NOT NULL DEFAULT (0), "created_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crypto_data_key_account_purpose_version_uq" ON "crypto_data_key" ("account_id", "purpose", "version") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crypto_data_key_account_purpose_version_uq"`);
    await queryRunner.query(`DROP TABLE "crypto_data_key"`);
  }
}
