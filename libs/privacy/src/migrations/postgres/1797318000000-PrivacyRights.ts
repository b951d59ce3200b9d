import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Restrictions, public-intake verification codes, request details and deadline notices. */
export class PrivacyRights1797318000000 implements MigrationInterface {
  name = 'PrivacyRights1797318000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "privacy_request" ADD "details" character varying(4000)`);
    await queryRunner.query(
      `ALTER TABLE "privacy_request" ADD "deadline_notice" character varying(16)`,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_restriction" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "subject_kind" character varying(16) NOT NULL, "subject_id" character varying(36) NOT NULL, "request_id" character varying(36) NOT NULL, "restricted_by" character varying(64) NOT NULL, "restricted_at" character varying(24) NOT NULL, CONSTRAINT "privacy_restriction_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_restriction_subject_uq" ON "privacy_restriction"  ("account_id", "subject_kind", "subject_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "privacy_verification" ("request_id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "code_hash" character varying(64) NOT NULL, "expires_at" character varying(24) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', CONSTRAINT "privacy_verification_pk" PRIMARY KEY ("request_id"))`,
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
