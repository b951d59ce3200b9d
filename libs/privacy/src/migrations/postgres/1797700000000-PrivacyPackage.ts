import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Access and portability packages of privacy requests. */
export class PrivacyPackage1797700000000 implements MigrationInterface {
  name = 'PrivacyPackage1797700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_package" ("id" character varying(36) NOT NULL, "account_id" character varying(36) NOT NULL, "request_id" character varying(36) NOT NULL, "state" character varying(16) NOT NULL, "version" integer NOT NULL DEFAULT '1', "items" text, "redactions" text NOT NULL DEFAULT '[]', "file_key" character varying(255), "sha256" character varying(64), "size" integer, "released_to" character varying(16), "link_hash" character varying(64), "expires_at" character varying(24), "downloaded_at" character varying(24), "created_by" character varying(64) NOT NULL, "created_at" character varying(24) NOT NULL, "updated_at" character varying(24) NOT NULL, CONSTRAINT "privacy_package_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_package_request_uq" ON "privacy_package" ("account_id", "request_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "privacy_package_link_uq" ON "privacy_package" ("link_hash") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "privacy_package_link_uq"`);
    await queryRunner.query(`DROP INDEX "privacy_package_request_uq"`);
    await queryRunner.query(`DROP TABLE "privacy_package"`);
  }
}
