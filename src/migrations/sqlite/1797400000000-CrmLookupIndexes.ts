import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the privacy lookup probes (`@custos/privacy`): one per probed column. */
export class CrmLookupIndexes1797400000000 implements MigrationInterface {
  name = 'CrmLookupIndexes1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "crm_contact_email_idx" ON "crm_contact" ("account_id", "email") WHERE "email" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_lastname_idx" ON "crm_contact" ("account_id", "lastname") WHERE "lastname" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_contact_phone_idx" ON "crm_contact" ("account_id", "phone") WHERE "phone" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_blind_index_record_idx" ON "crm_blind_index" ("account_id", "record_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_attachment_subject_idx" ON "crm_attachment" ("account_id", "record_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_form_submission_record_idx" ON "crm_form_submission" ("account_id", "record_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_import_actor_user_idx" ON "crm_import" ("account_id", "actor_user_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "crm_import_actor_label_idx" ON "crm_import" ("account_id", "actor_label") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "crm_import_actor_label_idx"`);
    await queryRunner.query(`DROP INDEX "crm_import_actor_user_idx"`);
    await queryRunner.query(`DROP INDEX "crm_form_submission_record_idx"`);
    await queryRunner.query(`DROP INDEX "crm_attachment_subject_idx"`);
    await queryRunner.query(`DROP INDEX "crm_blind_index_record_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_phone_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_lastname_idx"`);
    await queryRunner.query(`DROP INDEX "crm_contact_email_idx"`);
  }
}
