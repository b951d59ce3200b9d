import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CryptoDataKeys1795383997230 implements MigrationInterface {
  name = 'CryptoDataKeys1795383997230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crypto_data_key" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "purpose" character varying(8) NOT NULL, "version" integer NOT NULL, "wrapped_key" character varying(200) NOT NULL, "kek_id" character varying(100) NOT NULL, "active" boolean NOT NULL DEFAULT false, "created_at" character varying(24) NOT NULL, CONSTRAINT "crypto_data_key_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crypto_data_key_account_purpose_version_uq" ON "crypto_data_key"  ("account_id", "purpose", "version") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."crypto_data_key_account_purpose_version_uq"`);
    await queryRunner.query(`DROP TABLE "crypto_data_key"`);
  }
}
