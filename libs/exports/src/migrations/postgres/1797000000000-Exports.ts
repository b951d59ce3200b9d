import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Exports1797000000000 implements MigrationInterface {
  name = 'Exports1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_export" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "requester_kind" character varying(32) NOT NULL, "requester_id" character varying(255) NOT NULL, "requester_user_id" character varying(36), "requester_label" character varying(255) NOT NULL, "requester_super_admin" boolean NOT NULL, "requester_scopes" text, "source" character varying(64) NOT NULL, "target" text NOT NULL, "description" text NOT NULL, "format" character varying(8) NOT NULL, "state" character varying(24) NOT NULL, "rows_done" integer NOT NULL DEFAULT 0, "rows_total" integer NOT NULL DEFAULT 0, "sensitive" boolean NOT NULL, "approval_id" character varying(36), "decided_by_user_id" character varying(36), "reason" character varying(1000), "job_id" character varying(36), "file_key" character varying(512), "content_type" character varying(100), "file_extension" character varying(8), "size" bigint, "sha256" character varying(64), "file_expires_at" character varying(24), "downloads" integer NOT NULL DEFAULT 0, "error_code" character varying(100), "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "started_at" character varying(24), "finished_at" character varying(24), CONSTRAINT "custos_export_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "custos_export_settings" ("account_id" character varying(36) NOT NULL, "approval_required" boolean NOT NULL, "record_threshold" integer NOT NULL, "pending_expiry_hours" integer NOT NULL, "file_ttl_days" integer NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "custos_export_settings_pk" PRIMARY KEY ("account_id"))`,
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
