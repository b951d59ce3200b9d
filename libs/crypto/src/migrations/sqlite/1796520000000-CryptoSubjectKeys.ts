import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CryptoSubjectKeys1796520000000 implements MigrationInterface {
  name = 'CryptoSubjectKeys1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crypto_subject_key" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "subject_kind" varchar(32) NOT NULL, "subject_id" varchar(64) NOT NULL, "generation" integer NOT NULL, "key_version" integer, "wrapped_key" varchar(200), "created_at" varchar(24) NOT NULL, "destroyed_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crypto_subject_key_subject_uq" ON "crypto_subject_key" ("account_id", "subject_kind", "subject_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crypto_subject_key_account_id_idx" ON "crypto_subject_key" ("account_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crypto_subject_key_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "crypto_subject_key_subject_uq"`);
    await queryRunner.query(`DROP TABLE "crypto_subject_key"`);
  }
}
