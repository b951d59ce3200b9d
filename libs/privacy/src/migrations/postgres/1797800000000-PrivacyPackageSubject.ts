import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The contact a package is about: the lookup finds it, the erasure deletes it with its file. */
export class PrivacyPackageSubject1797800000000 implements MigrationInterface {
  name = 'PrivacyPackageSubject1797800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "privacy_package" ADD "subject_contact_id" character varying(36)`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_package_subject_idx" ON "privacy_package" ("account_id", "subject_contact_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "privacy_package_subject_idx"`);
    await queryRunner.query(`ALTER TABLE "privacy_package" DROP COLUMN "subject_contact_id"`);
  }
}
