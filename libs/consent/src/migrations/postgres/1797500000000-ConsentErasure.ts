import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Consent events keep the digest of their personal part, so erasure can drop the part. */
export class ConsentErasure1797500000000 implements MigrationInterface {
  name = 'ConsentErasure1797500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "consent_event" ADD "personal_digest" character varying(64)`,
    );
    await queryRunner.query(`ALTER TABLE "consent_event" ADD "erased_at" character varying(24)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "consent_event" DROP COLUMN "erased_at"`);
    await queryRunner.query(`ALTER TABLE "consent_event" DROP COLUMN "personal_digest"`);
  }
}
