import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Attachments1795384524576 implements MigrationInterface {
  name = 'Attachments1795384524576';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_attachment" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(32) NOT NULL, "record_id" varchar(36) NOT NULL, "file_name" varchar(255) NOT NULL, "content_type" varchar(255) NOT NULL, "size" integer NOT NULL, "encrypted" boolean NOT NULL, "key_version" integer, "storage_key" varchar(255) NOT NULL, "created_at" varchar(24) NOT NULL, "created_by_kind" varchar(32) NOT NULL, "created_by" varchar(255) NOT NULL)`,
    );
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

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_attachment_record_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_key_version_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_storage_key_idx"`);
    await queryRunner.query(`DROP TABLE "crm_attachment"`);
  }
}
