import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SegmentSharing1796448368332 implements MigrationInterface {
  name = 'SegmentSharing1796448368332';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_segment" ADD "owner_user_id" character varying(36)`);
    await queryRunner.query(
      `ALTER TABLE "crm_segment" ADD "sharing" character varying(16) NOT NULL DEFAULT 'private'`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_segment_account_owner_idx" ON "crm_segment"  ("account_id", "owner_user_id") `,
    );
    // Segments from before owners stay visible to everyone as they were, but only their creator
    // (known from the audit log when a person created it) and super admins may now change them.
    await queryRunner.query(
      `UPDATE "crm_segment" SET "sharing" = 'shared_read', "owner_user_id" = (SELECT "a"."actor_id" FROM "audit_event" "a" WHERE "a"."account_id" = "crm_segment"."account_id" AND "a"."target_type" = 'segment' AND "a"."target_id" = "crm_segment"."id" AND "a"."action" = 'segment.created' AND "a"."actor_kind" = 'user' ORDER BY "a"."seq" LIMIT 1)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."crm_segment_account_owner_idx"`);
    await queryRunner.query(`ALTER TABLE "crm_segment" DROP COLUMN "sharing"`);
    await queryRunner.query(`ALTER TABLE "crm_segment" DROP COLUMN "owner_user_id"`);
  }
}
