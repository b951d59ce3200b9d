import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SensitiveDataIntegrations1795384359603 implements MigrationInterface {
  name = 'SensitiveDataIntegrations1795384359603';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sensitive_data_integration" ("account_id" character varying(36) NOT NULL, "name" character varying(64) NOT NULL, "enabled_at" character varying(24) NOT NULL, "enabled_by" character varying(36) NOT NULL, CONSTRAINT "sensitive_data_integration_pk" PRIMARY KEY ("account_id", "name"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sensitive_data_integration"`);
  }
}
