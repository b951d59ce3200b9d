import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the privacy lookup probes (`@custos/privacy`): one per probed column. */
export class IdentityLookupIndexes1797400000000 implements MigrationInterface {
  name = 'IdentityLookupIndexes1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "identity_user_display_name_idx" ON "identity_user" ("display_name") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_membership_invited_name_idx" ON "identity_membership" ("account_id", "invited_display_name") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_scim_user_display_name_idx" ON "identity_scim_user" ("account_id", "display_name") `,
    );
    await queryRunner.query(
      `CREATE INDEX "identity_scim_user_family_name_idx" ON "identity_scim_user" ("account_id", "family_name") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "identity_scim_user_family_name_idx"`);
    await queryRunner.query(`DROP INDEX "identity_scim_user_display_name_idx"`);
    await queryRunner.query(`DROP INDEX "identity_membership_invited_name_idx"`);
    await queryRunner.query(`DROP INDEX "identity_user_display_name_idx"`);
  }
}
