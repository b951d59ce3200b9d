import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Erasures (their progress) and the privacy log. */
export class PrivacyErasure1797500000001 implements MigrationInterface {
  name = 'PrivacyErasure1797500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_erasure" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "request_id" character varying(36) NOT NULL, "status" character varying(16) NOT NULL, "contact_ids" text NOT NULL, "contacts_done" integer NOT NULL DEFAULT '0', "contacts_anonymised" integer NOT NULL DEFAULT '0', "subject_values" text, "values_done" boolean NOT NULL DEFAULT false, "created_by" character varying(64) NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "completed_at" character varying(24), CONSTRAINT "privacy_erasure_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_erasure_status_idx" ON "privacy_erasure"  ("status", "account_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_erasure_request_uq" ON "privacy_erasure"  ("account_id", "request_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_log" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "request_id" character varying(36) NOT NULL, "action" character varying(32) NOT NULL, "subject" character varying(200) NOT NULL, "detail" text NOT NULL, "actor_id" character varying(64) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "privacy_log_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_log_request_idx" ON "privacy_log"  ("account_id", "request_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_log_account_idx" ON "privacy_log"  ("account_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."privacy_log_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."privacy_log_request_idx"`);
    await queryRunner.query(`DROP TABLE "privacy_log"`);
    await queryRunner.query(`DROP INDEX "public"."privacy_erasure_request_uq"`);
    await queryRunner.query(`DROP INDEX "public"."privacy_erasure_status_idx"`);
    await queryRunner.query(`DROP TABLE "privacy_erasure"`);
  }
}
