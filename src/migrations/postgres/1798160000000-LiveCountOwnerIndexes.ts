import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The live counts tables and the carried columns they group by, as of this migration. */
const COUNTS: Record<string, string[]> = {
  crm_contact_live_count: ['country', 'lifecyclestage'],
  crm_company_live_count: ['country', 'industry'],
  crm_deal_live_count: ['dealstage', 'pipeline'],
};

/**
 * An owner-scoped reader's total (team or own level, under rules on the carried columns) is a sum
 * over their owners' live counts: `(account_id, owner_id, carried…) INCLUDE (live)` seeks each
 * owner and carried value and sums from the index alone (an index-only scan). Before it the
 * planner read the `(account_id, carried…)` index and the table rows of every owner — the bench's
 * team reader, 1,114 entries and 272 heap pages for 290 counts (docs/query-performance.md).
 * `live` in an index makes the triggers' count updates no longer heap-only: each changed count adds
 * an entry to each of its table's indexes (bulk key updates 12–37 % slower; without `live` the
 * index would visit the heap per count and the planner did not use it).
 */
export class LiveCountOwnerIndexes1798160000000 implements MigrationInterface {
  name = 'LiveCountOwnerIndexes1798160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [counts, carried] of Object.entries(COUNTS)) {
      const columns = carried.map((name) => `"${name}"`).join(', ');
      await queryRunner.query(
        `CREATE INDEX "${counts}_owner_idx" ON "${counts}" ("account_id", "owner_id", ${columns}) INCLUDE ("live")`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const counts of Object.keys(COUNTS)) {
      await queryRunner.query(`DROP INDEX "${counts}_owner_idx"`);
    }
  }
}
