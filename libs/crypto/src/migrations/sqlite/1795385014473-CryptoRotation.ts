import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CryptoRotation1795385014473 implements MigrationInterface {
  name = 'CryptoRotation1795385014473';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crypto_rotation" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "target_version" integer NOT NULL, "status" varchar(16) NOT NULL, "source" varchar(100), "cursor" varchar(255), "pass" integer NOT NULL DEFAULT (1), "pass_reencrypted" integer NOT NULL DEFAULT (0), "processed" integer NOT NULL DEFAULT (0), "total_estimate" integer, "unreadable" integer NOT NULL DEFAULT (0), "started_by" varchar(255) NOT NULL, "error" varchar(1000), "started_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "finished_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crypto_rotation_status_idx" ON "crypto_rotation" ("status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crypto_rotation_account_started_idx" ON "crypto_rotation" ("account_id", "started_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crypto_rotation_account_target_uq" ON "crypto_rotation" ("account_id", "target_version") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crypto_rotation_account_target_uq"`);
    await queryRunner.query(`DROP INDEX "crypto_rotation_account_started_idx"`);
    await queryRunner.query(`DROP INDEX "crypto_rotation_status_idx"`);
    await queryRunner.query(`DROP TABLE "crypto_rotation"`);
  }
}
