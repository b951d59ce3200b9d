import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795373768333 implements MigrationInterface {
  name = 'AuditLog1795373768333';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_chain_head" ("account_id" varchar(36) PRIMARY KEY NOT NULL, "seq" bigint NOT NULL, "hash" varchar(64) NOT NULL, "signature" varchar(64) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_event" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "seq" bigint NOT NULL, "prev_hash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL, "occurred_at" varchar(24) NOT NULL, "actor_kind" varchar(32) NOT NULL, "actor_id" varchar(255) NOT NULL, "actor_label" varchar(255) NOT NULL, "action" varchar(100) NOT NULL, "target_type" varchar(64), "target_id" varchar(255), "metadata" text NOT NULL, "request_id" varchar(100), CONSTRAINT "audit_event_account_seq_uq" UNIQUE ("account_id", "seq"), CONSTRAINT "audit_event_seq_positive_ck" CHECK ("seq" > 0))`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_target_idx" ON "audit_event" ("account_id", "target_type", "target_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_actor_idx" ON "audit_event" ("account_id", "actor_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_action_idx" ON "audit_event" ("account_id", "action") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_account_occurred_at_idx" ON "audit_event" ("account_id", "occurred_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "audit_event_account_occurred_at_idx"`);
    await queryRunner.query(`DROP INDEX "audit_event_account_action_idx"`);
    await queryRunner.query(`DROP INDEX "audit_event_account_actor_idx"`);
    await queryRunner.query(`DROP INDEX "audit_event_account_target_idx"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
    await queryRunner.query(`DROP TABLE "audit_chain_head"`);
  }
}
