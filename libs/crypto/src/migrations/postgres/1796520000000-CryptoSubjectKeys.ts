import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CryptoSubjectKeys1796520000000 implements MigrationInterface {
  name = 'CryptoSubjectKeys1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crypto_subject_key" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "subject_kind" character varying(32) NOT NULL, "subject_id" character varying(64) NOT NULL, "generation" integer NOT NULL, "key_version" integer, "wrapped_key" character varying(200), "created_at" character varying(24) NOT NULL, "destroyed_at" character varying(24), CONSTRAINT "crypto_subject_key_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crypto_subject_key_subject_uq" ON "crypto_subject_key" ("account_id", "subject_kind", "subject_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crypto_subject_key_account_id_idx" ON "crypto_subject_key" ("account_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."crypto_subject_key_account_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crypto_subject_key_subject_uq"`);
    await queryRunner.query(`DROP TABLE "crypto_subject_key"`);
  }
}
