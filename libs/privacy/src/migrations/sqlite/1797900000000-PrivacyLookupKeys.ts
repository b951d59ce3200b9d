import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lookup finds a request's phone kept as typed by its phone key (`phoneKeySql`, copied here
 * as it was: the planner uses the index only for the identical expression; building the index
 * computes the key of every existing row), and a restriction by its subject alone (the unique
 * index leads with the subject kind, which the lookup's probe does not name).
 */
export class PrivacyLookupKeys1797900000000 implements MigrationInterface {
  name = 'PrivacyLookupKeys1797900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "privacy_request_subject_phone_key_idx" ON "privacy_request" ("account_id", (CASE WHEN substr(replace(replace(replace(replace(replace(replace("subject_phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', ''), 1, 2) = '00' THEN '+' || substr(replace(replace(replace(replace(replace(replace("subject_phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', ''), 3) ELSE replace(replace(replace(replace(replace(replace("subject_phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', '') END))`,
    );
    await queryRunner.query(
      `CREATE INDEX "privacy_restriction_subject_idx" ON "privacy_restriction" ("account_id", "subject_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "privacy_restriction_subject_idx"`);
    await queryRunner.query(`DROP INDEX "privacy_request_subject_phone_key_idx"`);
  }
}
