import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partner firms, their employees, partner seats and access-link requests. */
export class Partners1797300000000 implements MigrationInterface {
  name = 'Partners1797300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "partner_firm" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL, "home_account_id" varchar(36) NOT NULL, "created_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "partner_firm_home_account_uq" ON "partner_firm" ("home_account_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_employee" ("user_id" varchar(36) PRIMARY KEY NOT NULL, "firm_id" varchar(36) NOT NULL, "firm_admin" boolean NOT NULL DEFAULT (0), "link_generation" integer NOT NULL DEFAULT (0), "created_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_employee_firm_idx" ON "partner_employee" ("firm_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_seat" ("account_id" varchar(36) NOT NULL, "seat_type" varchar(32) NOT NULL, "seats" integer NOT NULL, "updated_at" varchar(24) NOT NULL, PRIMARY KEY ("account_id", "seat_type"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_link_request" ("approval_id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "employee_user_id" varchar(36) NOT NULL, "link_generation" integer NOT NULL, "access_days" integer, "auto_extend" boolean NOT NULL DEFAULT (0))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "partner_link_request"`);
    await queryRunner.query(`DROP TABLE "partner_seat"`);
    await queryRunner.query(`DROP INDEX "partner_employee_firm_idx"`);
    await queryRunner.query(`DROP TABLE "partner_employee"`);
    await queryRunner.query(`DROP INDEX "partner_firm_home_account_uq"`);
    await queryRunner.query(`DROP TABLE "partner_firm"`);
  }
}
