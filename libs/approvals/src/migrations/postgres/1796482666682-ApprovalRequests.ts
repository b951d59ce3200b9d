import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApprovalRequests1796482666682 implements MigrationInterface {
  name = 'ApprovalRequests1796482666682';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custos_approval_request" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "kind" character varying(32) NOT NULL, "subject_id" character varying(64) NOT NULL, "requester_user_id" character varying(36) NOT NULL, "state" character varying(16) NOT NULL, "notified_user_ids" text NOT NULL, "message" text, "decided_by_user_id" character varying(36), "decided_at" character varying(24), "reason" text, "expires_at" character varying(24) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "custos_approval_request_state_ck" CHECK ("state" IN ('pending', 'approved', 'rejected', 'revoked', 'expired')), CONSTRAINT "custos_approval_request_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_approval_request_due_idx" ON "custos_approval_request"  ("expires_at") WHERE "state" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "custos_approval_request_pending_subject_uq" ON "custos_approval_request"  ("account_id", "kind", "subject_id") WHERE "state" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_approval_request_subject_idx" ON "custos_approval_request"  ("account_id", "kind", "subject_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "custos_approval_request_pending_idx" ON "custos_approval_request"  ("account_id", "state", "created_at") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."custos_approval_request_pending_idx"`);
    await queryRunner.query(`DROP INDEX "public"."custos_approval_request_subject_idx"`);
    await queryRunner.query(`DROP INDEX "public"."custos_approval_request_pending_subject_uq"`);
    await queryRunner.query(`DROP INDEX "public"."custos_approval_request_due_idx"`);
    await queryRunner.query(`DROP TABLE "custos_approval_request"`);
  }
}
