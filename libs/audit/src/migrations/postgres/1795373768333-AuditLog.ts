import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795373768333 implements MigrationInterface {
  name = 'AuditLog1795373768333';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_chain_head" ("account_id" character varying(36) NOT NULL, "seq" bigint NOT NULL, "hash" character varying(64) NOT NULL, "signature" character varying(64) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "audit_chain_head_pk" PRIMARY KEY ("account_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_event" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "seq" bigint NOT NULL, "prev_hash" character varying(64) NOT NULL, "hash" character varying(64) NOT NULL, "occurred_at" character varying(24) NOT NULL, "actor_kind" character varying(32) NOT NULL, "actor_id" character varying(255) NOT NULL, "actor_label" character varying(255) NOT NULL, "action" character varying(100) NOT NULL, "target_type" character varying(64), "target_id" character varying(255), "metadata" text NOT NULL, "request_id" character varying(100), CONSTRAINT "audit_event_account_seq_uq" UNIQUE ("account_id", "seq"), CONSTRAINT "audit_event_seq_positive_ck" CHECK ("seq" > 0), CONSTRAINT "audit_event_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_target_idx" ON "audit_event"  ("account_id", "target_type", "target_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_actor_idx" ON "audit_event"  ("account_id", "actor_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_action_idx" ON "audit_event"  ("account_id", "action") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_occurred_at_idx" ON "audit_event"  ("account_id", "occurred_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."audit_event_account_occurred_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_event_account_action_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_event_account_actor_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_event_account_target_idx"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
    await queryRunner.query(`DROP TABLE "audit_chain_head"`);
  }
}
