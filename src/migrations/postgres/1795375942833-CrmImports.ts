import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmImports1795375942833 implements MigrationInterface {
  name = 'CrmImports1795375942833';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "crm_import" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "object_type" character varying(32) NOT NULL, "mode" character varying(16) NOT NULL, "unique_property" character varying(100), "mapping" text NOT NULL, "file_name" character varying(255) NOT NULL, "file_bytes" integer NOT NULL, "status" character varying(16) NOT NULL, "total_rows" integer NOT NULL, "processed_rows" integer NOT NULL DEFAULT '0', "rows_created" integer NOT NULL DEFAULT '0', "rows_updated" integer NOT NULL DEFAULT '0', "rows_unchanged" integer NOT NULL DEFAULT '0', "rows_failed" integer NOT NULL DEFAULT '0', "actor_kind" character varying(32) NOT NULL, "actor_id" character varying(255) NOT NULL, "actor_user_id" character varying(36), "actor_label" character varying(255) NOT NULL, "actor_super_admin" boolean NOT NULL, "error" character varying(1000), "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, "started_at" character varying(24), "finished_at" character varying(24), CONSTRAINT "crm_import_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "crm_import_status_idx" ON "crm_import"  ("status") `);
    await queryRunner.query(
      `CREATE INDEX "crm_import_account_idx" ON "crm_import"  ("account_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_import_error" ("id" character varying(36) NOT NULL, "import_id" character varying(36) NOT NULL, "row_number" integer NOT NULL, "column_name" character varying(255), "reason" character varying(1000) NOT NULL, CONSTRAINT "crm_import_error_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "crm_import_error_row_uq" ON "crm_import_error"  ("import_id", "row_number") `,
    );
    await queryRunner.query(
      `ALTER TABLE "crm_import_error" ADD CONSTRAINT "crm_import_error_import_fk" FOREIGN KEY ("import_id") REFERENCES "crm_import"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "crm_import_error" DROP CONSTRAINT "crm_import_error_import_fk"`,
    );
    await queryRunner.query(`DROP INDEX "public"."crm_import_error_row_uq"`);
    await queryRunner.query(`DROP TABLE "crm_import_error"`);
    await queryRunner.query(`DROP INDEX "public"."crm_import_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."crm_import_status_idx"`);
    await queryRunner.query(`DROP TABLE "crm_import"`);
  }
}
