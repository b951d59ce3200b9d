import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Jobs1796459710385 implements MigrationInterface {
  name = 'Jobs1796459710385';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_job" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "idempotency_key" varchar(200), "account_id" varchar(36), "actor" text, "data" text NOT NULL, "state" varchar(16) NOT NULL, "progress" integer, "attempts" integer NOT NULL DEFAULT (0), "max_attempts" integer NOT NULL, "backoff_ms" integer NOT NULL, "error_code" varchar(100), "period" varchar(24), "cancel_requested_at" varchar(24), "lease_owner" varchar(36), "lease_expires_at" varchar(24), "run_at" varchar(24) NOT NULL, "created_at" varchar(24) NOT NULL, "started_at" varchar(24), "finished_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_job_account_idx" ON "custos_job" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_job_claim_idx" ON "custos_job" ("state", "run_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "custos_job_name_key_uq" ON "custos_job" ("name", "idempotency_key") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_job_name_key_uq"`);
    await queryRunner.query(`DROP INDEX "custos_job_claim_idx"`);
    await queryRunner.query(`DROP INDEX "custos_job_account_idx"`);
    await queryRunner.query(`DROP TABLE "custos_job"`);
  }
}
