import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Restrictions, public-intake verification codes, request details and deadline notices. */
export class PrivacyRights1797318000000 implements MigrationInterface {
  name = 'PrivacyRights1797318000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "privacy_request" ADD COLUMN "details" varchar(4000)`);
    await queryRunner.query(
      `ALTER TABLE "privacy_request" ADD COLUMN "deadline_notice" varchar(16)`,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_restriction" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "subject_kind" varchar(16) NOT NULL, "subject_id" varchar(36) NOT NULL, "request_id" varchar(36) NOT NULL, "restricted_by" varchar(64) NOT NULL, "restricted_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_restriction_subject_uq" ON "privacy_restriction" ("account_id", "subject_kind", "subject_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_verification" ("request_id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "code_hash" varchar(64) NOT NULL, "expires_at" varchar(24) NOT NULL, "attempts" integer NOT NULL DEFAULT (0))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "privacy_verification"`);
    await queryRunner.query(`DROP INDEX "privacy_restriction_subject_uq"`);
    await queryRunner.query(`DROP TABLE "privacy_restriction"`);
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP COLUMN "deadline_notice"`);
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP COLUMN "details"`);
  }
}
