import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SegmentSharing1796448368332 implements MigrationInterface {
  name = 'SegmentSharing1796448368332';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_segment_account_name_uq"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_crm_segment" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "object_type" varchar(32) NOT NULL, "filter_groups" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "owner_user_id" varchar(36), "sharing" varchar(16) NOT NULL DEFAULT ('private'))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_crm_segment"("id", "account_id", "name", "object_type", "filter_groups", "created_at", "updated_at") SELECT "id", "account_id", "name", "object_type", "filter_groups", "created_at", "updated_at" FROM "crm_segment"`,
    );
    await queryRunner.query(`DROP TABLE "crm_segment"`);
    await queryRunner.query(`ALTER TABLE "temporary_crm_segment" RENAME TO "crm_segment"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_segment_account_name_uq" ON "crm_segment" ("account_id", "name") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_segment_account_owner_idx" ON "crm_segment" ("account_id", "owner_user_id") `,
    );
    // Segments from before owners stay visible to everyone as they were, but only their creator
    // (known from the audit log when a person created it) and super admins may now change them.
    await queryRunner.query(
      `UPDATE "crm_segment" SET "sharing" = 'shared_read', "owner_user_id" = (SELECT "a"."actor_id" FROM "audit_event" "a" WHERE "a"."account_id" = "crm_segment"."account_id" AND "a"."target_type" = 'segment' AND "a"."target_id" = "crm_segment"."id" AND "a"."action" = 'segment.created' AND "a"."actor_kind" = 'user' ORDER BY "a"."seq" LIMIT 1)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_segment_account_owner_idx"`);
    await queryRunner.query(`DROP INDEX "crm_segment_account_name_uq"`);
    await queryRunner.query(`ALTER TABLE "crm_segment" RENAME TO "temporary_crm_segment"`);
    await queryRunner.query(
      `CREATE TABLE "crm_segment" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "object_type" varchar(32) NOT NULL, "filter_groups" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "crm_segment"("id", "account_id", "name", "object_type", "filter_groups", "created_at", "updated_at") SELECT "id", "account_id", "name", "object_type", "filter_groups", "created_at", "updated_at" FROM "temporary_crm_segment"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_crm_segment"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_segment_account_name_uq" ON "crm_segment" ("account_id", "name") `,
    );
  }
}
