import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Exports1797000000000 implements MigrationInterface {
  name = 'Exports1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_export" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "requester_kind" varchar(32) NOT NULL, "requester_id" varchar(255) NOT NULL, "requester_user_id" varchar(36), "requester_label" varchar(255) NOT NULL, "requester_super_admin" boolean NOT NULL, "requester_scopes" text, "source" varchar(64) NOT NULL, "target" text NOT NULL, "description" text NOT NULL, "format" varchar(8) NOT NULL, "state" varchar(24) NOT NULL, "rows_done" integer NOT NULL DEFAULT (0), "rows_total" integer NOT NULL DEFAULT (0), "sensitive" boolean NOT NULL, "approval_id" varchar(36), "decided_by_user_id" varchar(36), "reason" varchar(1000), "job_id" varchar(36), "file_key" varchar(512), "content_type" varchar(100), "file_extension" varchar(8), "size" bigint, "sha256" varchar(64), "file_expires_at" varchar(24), "downloads" integer NOT NULL DEFAULT (0), "error_code" varchar(100), "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "started_at" varchar(24), "finished_at" varchar(24))`,
    );
    await queryRunner.query(
      `CREATE TABLE "custos_export_settings" ("account_id" varchar(36) PRIMARY KEY NOT NULL, "approval_required" boolean NOT NULL, "record_threshold" integer NOT NULL, "pending_expiry_hours" integer NOT NULL, "file_ttl_days" integer NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_export_account_idx" ON "custos_export" ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_export_requester_idx" ON "custos_export" ("account_id", "requester_kind", "requester_id", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "custos_export_state_idx" ON "custos_export" ("state") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "custos_export_state_idx"`);
    await queryRunner.query(`DROP INDEX "custos_export_requester_idx"`);
    await queryRunner.query(`DROP INDEX "custos_export_account_idx"`);
    await queryRunner.query(`DROP TABLE "custos_export_settings"`);
    await queryRunner.query(`DROP TABLE "custos_export"`);
  }
}
