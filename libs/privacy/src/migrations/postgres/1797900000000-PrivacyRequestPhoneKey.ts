import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lookup finds a request's phone kept as typed by its phone key (`phoneKeySql`, copied here
 * as it was: the planner uses the index only for the identical expression). Building the index
 * computes the key of every existing row.
 */
export class PrivacyRequestPhoneKey1797900000000 implements MigrationInterface {
  name = 'PrivacyRequestPhoneKey1797900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "privacy_request_subject_phone_key_idx" ON "privacy_request" ("account_id", (CASE WHEN substr(replace(replace(replace(replace(replace(replace("subject_phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', ''), 1, 2) = '00' THEN '+' || substr(replace(replace(replace(replace(replace(replace("subject_phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', ''), 3) ELSE replace(replace(replace(replace(replace(replace("subject_phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', '') END))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "privacy_request_subject_phone_key_idx"`);
  }
}
