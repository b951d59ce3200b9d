import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The custom value counts tables and the carried columns they group by, as of this migration. */
const COUNTS: Record<string, string[]> = {
  crm_contact_custom_count: ['country', 'lifecyclestage'],
  crm_company_custom_count: ['country', 'industry'],
  crm_deal_custom_count: ['dealstage', 'pipeline'],
};

/**
 * A total filtered by `eq` on an indexed custom property is a sum over the counts of the value:
 * `(account_id, property_name, value, owner_id, carried…) INCLUDE (live)` answers it from the
 * index alone (an index-only scan), where the key (business unit between owner and the carried
 * columns, no `live`) reads each count's row too. At 100,000 contacts (bench seed, warm,
 * docs/benchmarks.md): a number value's whole-account total 2,202 → 44 buffers, 1.96 → 0.50 ms;
 * the bench's team reader 411 → 52 buffers, 1.12 → 0.95 ms (the planner reads the value's entries
 * and filters the owners). Count updates stop being heap-only (one more index entry each): no
 * difference above the noise in single-row or bulk updates.
 */
export class CustomValueCountOwnerIndexes1798300000001 implements MigrationInterface {
  name = 'CustomValueCountOwnerIndexes1798300000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [counts, carried] of Object.entries(COUNTS)) {
      const columns = carried.map((name) => `"${name}"`).join(', ');
      await queryRunner.query(
        `CREATE INDEX "${counts}_owner_idx" ON "${counts}" ("account_id", "property_name", "value", "owner_id", ${columns}) INCLUDE ("live")`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const counts of Object.keys(COUNTS)) {
      await queryRunner.query(`DROP INDEX "${counts}_owner_idx"`);
    }
  }
}
