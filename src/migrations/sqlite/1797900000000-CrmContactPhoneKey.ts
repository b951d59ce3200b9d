import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The privacy lookup finds a contact's phone kept as typed by its phone key (`phoneKeySql` of
 * `@custos/privacy`, copied here as it was: the planner uses the index only for the identical
 * expression). Building the index computes the key of every existing row.
 */
export class CrmContactPhoneKey1797900000000 implements MigrationInterface {
  name = 'CrmContactPhoneKey1797900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "crm_contact_phone_key_idx" ON "crm_contact" ("account_id", (CASE WHEN substr(replace(replace(replace(replace(replace(replace("phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', ''), 1, 2) = '00' THEN '+' || substr(replace(replace(replace(replace(replace(replace("phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', ''), 3) ELSE replace(replace(replace(replace(replace(replace("phone", ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), '/', '') END))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_contact_phone_key_idx"`);
  }
}
