import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AttachmentHolders1796448428284 implements MigrationInterface {
  name = 'AttachmentHolders1796448428284';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_attachment_record_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_key_version_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_storage_key_idx"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_crm_attachment" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "record_id" varchar(36) NOT NULL, "file_name" varchar(255) NOT NULL, "content_type" varchar(255) NOT NULL, "size" integer NOT NULL, "encrypted" boolean NOT NULL, "key_version" integer, "storage_key" varchar(255) NOT NULL, "created_at" varchar(24) NOT NULL, "created_by_kind" varchar(32) NOT NULL, "created_by" varchar(255) NOT NULL, "property_name" varchar(100))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_crm_attachment"("id", "account_id", "object_type", "record_id", "file_name", "content_type", "size", "encrypted", "key_version", "storage_key", "created_at", "created_by_kind", "created_by") SELECT "id", "account_id", "object_type", "record_id", "file_name", "content_type", "size", "encrypted", "key_version", "storage_key", "created_at", "created_by_kind", "created_by" FROM "crm_attachment"`,
    );
    await queryRunner.query(`DROP TABLE "crm_attachment"`);
    await queryRunner.query(`ALTER TABLE "temporary_crm_attachment" RENAME TO "crm_attachment"`);
    await queryRunner.query(
      `CREATE INDEX "crm_attachment_record_idx" ON "crm_attachment" ("account_id", "object_type", "record_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_attachment_key_version_idx" ON "crm_attachment" ("account_id", "key_version") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_attachment_storage_key_idx" ON "crm_attachment" ("storage_key") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_import_creator_idx" ON "crm_import" ("account_id", "actor_kind", "actor_id", "id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_import_creator_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_storage_key_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_key_version_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_record_idx"`);
    await queryRunner.query(`ALTER TABLE "crm_attachment" RENAME TO "temporary_crm_attachment"`);
    await queryRunner.query(
      `CREATE TABLE "crm_attachment" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "record_id" varchar(36) NOT NULL, "file_name" varchar(255) NOT NULL, "content_type" varchar(255) NOT NULL, "size" integer NOT NULL, "encrypted" boolean NOT NULL, "key_version" integer, "storage_key" varchar(255) NOT NULL, "created_at" varchar(24) NOT NULL, "created_by_kind" varchar(32) NOT NULL, "created_by" varchar(255) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "crm_attachment"("id", "account_id", "object_type", "record_id", "file_name", "content_type", "size", "encrypted", "key_version", "storage_key", "created_at", "created_by_kind", "created_by") SELECT "id", "account_id", "object_type", "record_id", "file_name", "content_type", "size", "encrypted", "key_version", "storage_key", "created_at", "created_by_kind", "created_by" FROM "temporary_crm_attachment"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_crm_attachment"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_attachment_storage_key_idx" ON "crm_attachment" ("storage_key") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_attachment_key_version_idx" ON "crm_attachment" ("account_id", "key_version") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_attachment_record_idx" ON "crm_attachment" ("account_id", "object_type", "record_id", "id") `,
    );
  }
}
