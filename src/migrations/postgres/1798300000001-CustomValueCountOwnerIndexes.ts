import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The custom value counts tables and the carried columns they group by, as of this migration. */
const COUNTS: Record<string, string[]> = {
  crm_contact_custom_count: ['country', 'lifecyclestage'],
  crm_company_custom_count: ['country', 'industry'],
  crm_deal_custom_count: ['dealstage', 'pipeline'],
};

/**
 * An owner-scoped reader's total filtered by `eq` on an indexed custom property is a sum over
 * their owners' counts of the value: `(account_id, property_name, value, owner_id, carried…)
 * INCLUDE (live)` seeks each owner and carried value and sums from the index alone, as
 * `LiveCountOwnerIndexes` does for the live counts. The key (business unit between owner and the
 * carried columns, no `live`) left the planner reading every count of the value and its table
 * row: the bench's team reader at 100,000 contacts, 2,629 entries for 203 counts, 5.2 → 1.25 ms
 * (docs/benchmarks.md). Count updates stop being heap-only (one more index entry each).
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
