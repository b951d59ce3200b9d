import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM: the id a provider knows a person by, kept when an invitation-style membership moves to
 * the login's own id at acceptance.
 */
export class ScimResourceIds1797400000000 implements MigrationInterface {
  name = 'ScimResourceIds1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "identity_scim_user" ADD "resource_id" varchar(36)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "identity_scim_user_account_resource_uq" ON "identity_scim_user" ("account_id", "resource_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "identity_scim_user_account_resource_uq"`);
    await queryRunner.query(`ALTER TABLE "identity_scim_user" DROP COLUMN "resource_id"`);
  }
}
