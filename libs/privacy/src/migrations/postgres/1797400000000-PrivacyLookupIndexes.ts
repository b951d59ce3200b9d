import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the privacy lookup probes (`@custos/privacy`): one per probed column. */
export class PrivacyLookupIndexes1797400000000 implements MigrationInterface {
  name = 'PrivacyLookupIndexes1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "privacy_request_subject_name_idx" ON "privacy_request" ("account_id", "subject_name") `,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_request_subject_phone_idx" ON "privacy_request" ("account_id", "subject_phone") `,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_request_subject_contact_idx" ON "privacy_request" ("account_id", "subject_contact_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "privacy_request_subject_contact_idx"`);
    await queryRunner.query(`DROP INDEX "privacy_request_subject_phone_idx"`);
    await queryRunner.query(`DROP INDEX "privacy_request_subject_name_idx"`);
  }
}
