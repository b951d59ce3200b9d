import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the privacy lookup probes (`@custos/privacy`): one per probed column. */
export class ConsentLookupIndexes1797400000000 implements MigrationInterface {
  name = 'ConsentLookupIndexes1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "consent_event_address_idx" ON "consent_event" ("account_id", "address") `,
    );
    await queryRunner.query(
      `CREATE INDEX "consent_state_address_idx" ON "consent_state" ("account_id", "address") `,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "consent_state_address_idx"`);
    await queryRunner.query(`DROP INDEX "consent_event_address_idx"`);
  }
}
