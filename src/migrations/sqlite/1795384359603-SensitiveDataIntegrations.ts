import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SensitiveDataIntegrations1795384359603 implements MigrationInterface {
  name = 'SensitiveDataIntegrations1795384359603';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sensitive_data_integration" ("account_id" varchar(36) NOT NULL, "name" varchar(64) NOT NULL, "enabled_at" varchar(24) NOT NULL, "enabled_by" varchar(36) NOT NULL, PRIMARY KEY ("account_id", "name"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sensitive_data_integration"`);
  }
}
