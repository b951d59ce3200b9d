import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Access and portability packages of privacy requests. */
export class PrivacyPackage1797700000000 implements MigrationInterface {
  name = 'PrivacyPackage1797700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_package" ("id" varchar(36) PRIMARY KEY NOT NULL, "account_id" varchar(36) NOT NULL, "request_id" varchar(36) NOT NULL, "state" varchar(16) NOT NULL, "version" integer NOT NULL DEFAULT (1), "items" text, "redactions" text NOT NULL DEFAULT ('[]'), "file_key" varchar(255), "sha256" varchar(64), "size" integer, "released_to" varchar(16), "link_hash" varchar(64), "expires_at" varchar(24), "downloaded_at" varchar(24), "created_by" varchar(64) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
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
