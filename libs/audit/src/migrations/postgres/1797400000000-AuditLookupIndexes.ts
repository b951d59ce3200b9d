import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the privacy lookup probes (`@custos/privacy`): one per probed column. */
export class AuditLookupIndexes1797400000000 implements MigrationInterface {
  name = 'AuditLookupIndexes1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "audit_event_actor_label_idx" ON "audit_event" ("account_id", "actor_label") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_event_target_id_idx" ON "audit_event" ("account_id", "target_id") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "audit_event_target_id_idx"`);
    await queryRunner.query(`DROP INDEX "audit_event_actor_label_idx"`);
  }
}
