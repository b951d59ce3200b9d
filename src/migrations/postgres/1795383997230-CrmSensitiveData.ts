import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CrmSensitiveData1795383997230 implements MigrationInterface {
  name = 'CrmSensitiveData1795383997230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sensitive_data_setting" ("account_id" character varying(36) NOT NULL, "categories" text NOT NULL, "enabled_at" character varying(24) NOT NULL, "enabled_by" character varying(36) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "sensitive_data_setting_pk" PRIMARY KEY ("account_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "crm_blind_index" ("account_id" character varying(36) NOT NULL, "object_type" character varying(32) NOT NULL, "property_name" character varying(100) NOT NULL, "record_id" character varying(36) NOT NULL, "token" character varying(16) NOT NULL, CONSTRAINT "crm_blind_index_pk" PRIMARY KEY ("account_id", "object_type", "property_name", "record_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_blind_index_lookup_idx" ON "crm_blind_index"  ("account_id", "object_type", "property_name", "token", "record_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "crm_property" ADD "sensitive" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(`ALTER TABLE "crm_property" ADD "phi" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `ALTER TABLE "crm_property" ADD "highly_sensitive" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE "crm_property" ADD "value_access" character varying(16) NOT NULL DEFAULT 'everyone'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "crm_property" DROP COLUMN "value_access"`);
    await queryRunner.query(`ALTER TABLE "crm_property" DROP COLUMN "highly_sensitive"`);
    await queryRunner.query(`ALTER TABLE "crm_property" DROP COLUMN "phi"`);
    await queryRunner.query(`ALTER TABLE "crm_property" DROP COLUMN "sensitive"`);
    await queryRunner.query(`DROP INDEX "public"."crm_blind_index_lookup_idx"`);
    await queryRunner.query(`DROP TABLE "crm_blind_index"`);
    await queryRunner.query(`DROP TABLE "sensitive_data_setting"`);
  }
}
