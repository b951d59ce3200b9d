import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountEditionAndRegion1795383997230 implements MigrationInterface {
  name = 'AccountEditionAndRegion1795383997230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "temporary_identity_account" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL, "edition" varchar(20) NOT NULL DEFAULT ('enterprise'), "data_region" varchar(32) NOT NULL DEFAULT ('eu'))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_identity_account"("id", "name", "created_at", "updated_at") SELECT "id", "name", "created_at", "updated_at" FROM "identity_account"`,
    );
    await queryRunner.query(`DROP TABLE "identity_account"`);
    await queryRunner.query(
      `ALTER TABLE "temporary_identity_account" RENAME TO "identity_account"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "identity_account" RENAME TO "temporary_identity_account"`,
    );
    await queryRunner.query(
      `CREATE TABLE "identity_account" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL, "created_at" varchar(24) NOT NULL, "updated_at" varchar(24) NOT NULL)`,
    );
    await queryRunner.query(
      `INSERT INTO "identity_account"("id", "name", "created_at", "updated_at") SELECT "id", "name", "created_at", "updated_at" FROM "temporary_identity_account"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_identity_account"`);
  }
}
