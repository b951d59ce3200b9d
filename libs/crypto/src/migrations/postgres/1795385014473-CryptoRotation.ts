import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CryptoRotation1795385014473 implements MigrationInterface {
  name = 'CryptoRotation1795385014473';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crypto_rotation" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "target_version" integer NOT NULL, "status" character varying(16) NOT NULL, "source" character varying(100), "cursor" character varying(255), "pass" integer NOT NULL DEFAULT '1', "pass_reencrypted" integer NOT NULL DEFAULT '0', "processed" integer NOT NULL DEFAULT '0', "total_estimate" integer, "unreadable" integer NOT NULL DEFAULT '0', "started_by" character varying(255) NOT NULL, "error" character varying(1000), "started_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "finished_at" character varying(24), CONSTRAINT "crypto_rotation_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crypto_rotation_status_idx" ON "crypto_rotation"  ("status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crypto_rotation_account_started_idx" ON "crypto_rotation"  ("account_id", "started_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crypto_rotation_account_target_uq" ON "crypto_rotation"  ("account_id", "target_version") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."crypto_rotation_account_target_uq"`);
    await queryRunner.query(`DROP INDEX "public"."crypto_rotation_account_started_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crypto_rotation_status_idx"`);
    await queryRunner.query(`DROP TABLE "crypto_rotation"`);
  }
}
