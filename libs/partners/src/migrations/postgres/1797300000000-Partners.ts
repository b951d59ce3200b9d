import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partner firms, their employees, partner seats and access-link requests. */
export class Partners1797300000000 implements MigrationInterface {
  name = 'Partners1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "partner_firm" ("id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "home_account_id" character varying(36) NOT NULL, "created_at" character varying(24) NOT NULL, CONSTRAINT "partner_firm_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "partner_firm_home_account_uq" ON "partner_firm"  ("home_account_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_employee" ("user_id" character varying(36) NOT NULL, "firm_id" character varying(36) NOT NULL, "firm_admin" boolean NOT NULL DEFAULT false, "link_generation" integer NOT NULL DEFAULT '0', "created_at" character varying(24) NOT NULL, CONSTRAINT "partner_employee_pk" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_employee_firm_idx" ON "partner_employee"  ("firm_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_seat" ("account_id" character varying(36) NOT NULL, "seat_type" character varying(32) NOT NULL, "seats" integer NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "partner_seat_pk" PRIMARY KEY ("account_id", "seat_type"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_link_request" ("approval_id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "employee_user_id" character varying(36) NOT NULL, "link_generation" integer NOT NULL, "access_days" integer, "auto_extend" boolean NOT NULL DEFAULT false, CONSTRAINT "partner_link_request_pk" PRIMARY KEY ("approval_id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "partner_link_request"`);
    await queryRunner.query(`DROP TABLE "partner_seat"`);
    await queryRunner.query(`DROP INDEX "public"."partner_employee_firm_idx"`);
    await queryRunner.query(`DROP TABLE "partner_employee"`);
    await queryRunner.query(`DROP INDEX "public"."partner_firm_home_account_uq"`);
    await queryRunner.query(`DROP TABLE "partner_firm"`);
  }
}
