import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables of the object types and the columns their scope indexes carry, as of this migration. */
const TABLES: Record<string, { table: string; carried: string[] }> = {
  contacts: { table: 'crm_contact', carried: ['country', 'lifecyclestage'] },
  companies: { table: 'crm_company', carried: ['country', 'industry'] },
  deals: { table: 'crm_deal', carried: ['dealstage', 'pipeline'] },
};
const SAFE_NAME = /^[a-z][a-z0-9_]{0,99}$/;

/**
 * Custom properties already `indexed` get the scoped index that `CustomPropertyIndexes` now
 * creates with the value index (`sqliteIndexes`): the value, then the owner, carrying the columns
 * rules test most, so that a team or own-level reader's filter on the property is served by one
 * index for value and scope (docs/query-performance.md). PostgreSQL is unchanged.
 */
export class CustomPropertyScopeIndexes1796480000000 implements MigrationInterface {
  name = 'CustomPropertyScopeIndexes1796480000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { objectType, name } of await indexed(queryRunner)) {
      const { table, carried } = TABLES[objectType];
      await queryRunner.query(
        `CREATE INDEX IF NOT EXISTS "${table}_cx_${name}_owner" ON "${table}" ("account_id", json_extract(custom, '$.${name}'), "owner_id", ${carried.map((c) => `"${c}"`).join(', ')}, "id", "archived_at") WHERE "archived_at" IS NULL`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { objectType, name } of await indexed(queryRunner)) {
      const { table } = TABLES[objectType];
      await queryRunner.query(`DROP INDEX IF EXISTS "${table}_cx_${name}_owner"`);
    }
  }
}

/** The names indexed in some account, per object type (the indexes are shared per table and name). */
async function indexed(queryRunner: QueryRunner): Promise<{ objectType: string; name: string }[]> {
  const rows = (await queryRunner.query(
    `SELECT DISTINCT object_type, name FROM crm_property WHERE indexed = 1`,
  )) as { object_type: string; name: string }[];
  return rows
    .filter((row) => row.object_type in TABLES && SAFE_NAME.test(row.name))
    .map((row) => ({ objectType: row.object_type, name: row.name }));
}
