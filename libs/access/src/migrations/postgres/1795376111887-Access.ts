import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Access1795376111887 implements MigrationInterface {
  name = 'Access1795376111887';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "access_account_version" ("account_id" character varying(36) NOT NULL, "version" integer NOT NULL, CONSTRAINT "access_account_version_pk" PRIMARY KEY ("account_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "access_field_permission" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "object_type" character varying(64) NOT NULL, "property" character varying(100) NOT NULL, "access" character varying(8) NOT NULL, "principal_type" character varying(16) NOT NULL, "principal_id" character varying(36) NOT NULL DEFAULT '', CONSTRAINT "access_field_permission_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "access_field_permission_uq" ON "access_field_permission"  ("account_id", "object_type", "property", "access", "principal_type", "principal_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "access_role_assignment" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "role_id" character varying(36) NOT NULL, "principal_type" character varying(16) NOT NULL, "principal_id" character varying(36) NOT NULL, CONSTRAINT "access_role_assignment_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "access_role_assignment_principal_idx" ON "access_role_assignment"  ("account_id", "principal_type", "principal_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "access_role_assignment_uq" ON "access_role_assignment"  ("role_id", "principal_type", "principal_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "access_role" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "description" character varying(1000) NOT NULL DEFAULT '', "privileges" text NOT NULL, "task_privileges" text NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "access_role_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "access_role_account_name_uq" ON "access_role"  ("account_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "access_record_rule" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "role_id" character varying(36), "name" character varying(200) NOT NULL, "object_type" character varying(64) NOT NULL, "actions" text NOT NULL, "effect" character varying(16) NOT NULL, "condition" text NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "access_record_rule_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "access_record_rule_account_type_idx" ON "access_record_rule"  ("account_id", "object_type") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."access_record_rule_account_type_idx"`);
    await queryRunner.query(`DROP TABLE "access_record_rule"`);
    await queryRunner.query(`DROP INDEX "public"."access_role_account_name_uq"`);
    await queryRunner.query(`DROP TABLE "access_role"`);
    await queryRunner.query(`DROP INDEX "public"."access_role_assignment_uq"`);
    await queryRunner.query(`DROP INDEX "public"."access_role_assignment_principal_idx"`);
    await queryRunner.query(`DROP TABLE "access_role_assignment"`);
    await queryRunner.query(`DROP INDEX "public"."access_field_permission_uq"`);
    await queryRunner.query(`DROP TABLE "access_field_permission"`);
    await queryRunner.query(`DROP TABLE "access_account_version"`);
  }
}
