import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Actor labels under a salted digest: events hash the digest in place of the label, so erasing a
 * user's label (and its salt) keeps the chain checkable. Events already stored keep hashing their
 * label: rewriting them would change every later hash.
 */
export class AuditActorLabelDigest1797900000000 implements MigrationInterface {
  name = 'AuditActorLabelDigest1797900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_event" ADD COLUMN "actor_label_salt" varchar(32)`);
    await queryRunner.query(
      `ALTER TABLE "audit_event" ADD COLUMN "actor_label_digest" varchar(64)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_event" DROP COLUMN "actor_label_digest"`);
    await queryRunner.query(`ALTER TABLE "audit_event" DROP COLUMN "actor_label_salt"`);
  }
}
