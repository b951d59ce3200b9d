import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partner admins: the firm a membership acts for, and the end of its time-bound access. */
export class PartnerMemberships1797200000000 implements MigrationInterface {
  name = 'PartnerMemberships1797200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "identity_membership" ADD "partner_firm_id" varchar(36)`);
    await queryRunner.query(
      `ALTER TABLE "identity_membership" ADD "partner_access_expires_at" varchar(24)`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_membership" ADD "partner_access_extend_days" integer`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "identity_membership" DROP COLUMN "partner_access_extend_days"`,
    );
    await queryRunner.query(
      `ALTER TABLE "identity_membership" DROP COLUMN "partner_access_expires_at"`,
    );
    await queryRunner.query(`ALTER TABLE "identity_membership" DROP COLUMN "partner_firm_id"`);
  }
}
