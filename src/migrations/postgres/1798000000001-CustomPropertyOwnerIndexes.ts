import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables of the object types and the columns their scope indexes carry, as of this migration. */
const TABLES: Record<string, { table: string; carried: string[] }> = {
  contacts: { table: 'crm_contact', carried: ['country', 'lifecyclestage'] },
  companies: { table: 'crm_company', carried: ['country', 'industry'] },
  deals: { table: 'crm_deal', carried: ['dealstage', 'pipeline'] },
};
const SAFE_NAME = /^[a-z][a-z0-9_]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The value as filters compile it (`SqlDialect.customValue`), as of this migration. */
function valueOf(name: string, type: string): string {
  const text = `(custom::jsonb ->> '${name}')`;
  if (['number', 'score', 'calculation'].includes(type)) {
    return `(${text})::double precision`;
  }
  return type === 'bool' ? `(${text})::boolean` : text;
}

/**
 * Custom properties already indexed get the owner-scoped index that `CustomPropertyIndexes` now
 * builds beside the value index (`postgresIndexes`): the value, then the owner, carrying the
 * columns rules test most, so that a team or own-level reader's filter on the property reads
 * their matches only (docs/query-performance.md). Built in the migration's transaction (writes
 * to the table wait, as for any index a migration adds); only for indexes that are `ready`.
 */
export class CustomPropertyOwnerIndexes1798000000001 implements MigrationInterface {
  name = 'CustomPropertyOwnerIndexes1798000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const property of await indexed(queryRunner)) {
      const { table, carried } = TABLES[property.objectType];
      await queryRunner.query(
        `CREATE INDEX IF NOT EXISTS "${property.index}_owner" ON "${table}" ((${valueOf(property.name, property.type)}), "owner_id", ${carried.map((c) => `"${c}"`).join(', ')}, "id") WHERE "account_id" = '${property.accountId}' AND "archived_at" IS NULL`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const property of await indexed(queryRunner)) {
      await queryRunner.query(`DROP INDEX IF EXISTS "${property.index}_owner"`);
    }
  }
}

interface Indexed {
  index: string;
  accountId: string;
  objectType: string;
  name: string;
  type: string;
}

/** The properties whose value index is built, with that index's name (`crm_cx_<id>`). */
async function indexed(queryRunner: QueryRunner): Promise<Indexed[]> {
  const rows = (await queryRunner.query(
    `SELECT id, account_id, object_type, name, type FROM crm_property WHERE indexed = true AND index_state = 'ready'`,
  )) as { id: string; account_id: string; object_type: string; name: string; type: string }[];
  return rows
    .filter(
      (row) =>
        row.object_type in TABLES &&
        SAFE_NAME.test(row.name) &&
        UUID.test(row.id) &&
        UUID.test(row.account_id) &&
        SAFE_NAME.test(row.type),
    )
    .map((row) => ({
      index: `crm_cx_${row.id.replaceAll('-', '')}`,
      accountId: row.account_id,
      objectType: row.object_type,
      name: row.name,
      type: row.type,
    }));
}
