import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Access1795376111887 implements MigrationInterface {
  name = 'Access1795376111887';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "access_account_version" ("account_id" varchar(36) PRIMARY KEY NOT NULL, "version" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "access_field_permission" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "object_type" varchar(64) NOT NULL, "property" varchar(100) NOT NULL, "access" varchar(8) NOT NULL, "principal_type" varchar(16) NOT NULL, "principal_id" varchar(36) NOT NULL DEFAULT (''))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "access_field_permission_uq" ON "access_field_permission" ("account_id", "object_type", "property", "access", "principal_type", "principal_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "access_role_assignment" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "role_id" varchar(36) NOT NULL, "principal_type" varchar(16) NOT NULL, "principal_id" varchar(36) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "access_role_assignment_principal_idx" ON "access_role_assignment" ("account_id", "principal_type", "principal_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "access_role_assignment_uq" ON "access_role_assignment" ("role_id", "principal_type", "principal_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "access_role" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "description" varchar(1000) NOT NULL DEFAULT (''), "privileges" text NOT NULL, "task_privileges" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "access_role_account_name_uq" ON "access_role" ("account_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "access_record_rule" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "role_id" varchar(36), "name" varchar(200) NOT NULL, "object_type" varchar(64) NOT NULL, "actions" text NOT NULL, "effect" varchar(16) NOT NULL, "condition" text NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "access_record_rule_account_type_idx" ON "access_record_rule" ("account_id", "object_type") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "access_record_rule_account_type_idx"`);
    await queryRunner.query(`DROP TABLE "access_record_rule"`);
    await queryRunner.query(`DROP INDEX "access_role_account_name_uq"`);
    await queryRunner.query(`DROP TABLE "access_role"`);
    await queryRunner.query(`DROP INDEX "access_role_assignment_uq"`);
    await queryRunner.query(`DROP INDEX "access_role_assignment_principal_idx"`);
    await queryRunner.query(`DROP TABLE "access_role_assignment"`);
    await queryRunner.query(`DROP INDEX "access_field_permission_uq"`);
    await queryRunner.query(`DROP TABLE "access_field_permission"`);
    await queryRunner.query(`DROP TABLE "access_account_version"`);
  }
}
