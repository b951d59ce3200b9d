import type { QueryRunner } from 'typeorm';
/** What both databases' `RecordCounts` migrations share: the record tables and the backfill. */
export const RECORD_TABLES = ['crm_contact', 'crm_company', 'crm_deal'];

/** The count of each key of `table`'s live rows, as the triggers then keep it. */
export function backfillRecordCounts(table: string): string {
  return `INSERT INTO "crm_record_count" ("account_id", "object_table", "owner_id", "business_unit_id", "live")
    SELECT "account_id", '${table}', COALESCE("owner_id", ''), COALESCE("business_unit_id", ''), COUNT(*)
    FROM "${table}" WHERE "archived_at" IS NULL
    GROUP BY "account_id", COALESCE("owner_id", ''), COALESCE("business_unit_id", '')`;
}

/**
 * What both databases' `RecordLiveCounts` migrations share: per record table, its live counts
 * table and the record columns it groups by besides account, owner and business unit (the
 * columns the owner filter indexes carry), each with its type.
 */
export const LIVE_COUNT_TABLES = [
  {
    table: 'crm_contact',
    carried: [
      ['country', 'varchar(255)'],
      ['lifecyclestage', 'varchar(100)'],
    ],
  },
  {
    table: 'crm_company',
    carried: [
      ['country', 'varchar(255)'],
      ['industry', 'varchar(255)'],
    ],
  },
  {
    table: 'crm_deal',
    carried: [
      ['dealstage', 'varchar(100)'],
      ['pipeline', 'varchar(255)'],
    ],
  },
] as const;

export type LiveCountTable = (typeof LIVE_COUNT_TABLES)[number];

/** The live counts table of `table` (the name `RecordQuery` reads). */
export const liveCountsOf = (table: string): string => `${table}_live_count`;

/** The key of a live counts table: the record columns it groups by, quoted. */
export function liveCountKey({ carried }: LiveCountTable): string[] {
  return ['account_id', 'owner_id', 'business_unit_id', ...carried.map(([name]) => name)].map(
    (name) => `"${name}"`,
  );
}

/**
 * The statements that create `counted`'s live counts table, its indexes and its counts of the
 * rows there are now: the record columns as the record table types them; on PostgreSQL one row
 * per key, NULLs included (`UNIQUE NULLS NOT DISTINCT`, which `ON CONFLICT` finds; room on each
 * page for the counts' updates to stay heap-only), on SQLite a unique index in which NULLs are
 * distinct (the triggers insert a key only when no row `IS` it).
 */
function createLiveCounts(counted: LiveCountTable, database: 'postgres' | 'sqlite'): string[] {
  const counts = liveCountsOf(counted.table);
  const key = liveCountKey(counted).join(', ');
  const carried = counted.carried.map(([name]) => `"${name}"`).join(', ');
  const columns = `"account_id" varchar(36) NOT NULL, "owner_id" varchar(36), "business_unit_id" varchar(36), ${counted.carried
    .map(([name, type]) => `"${name}" ${type}`)
    .join(', ')}`;
  return [
    database === 'postgres'
      ? `CREATE TABLE "${counts}" (${columns}, "live" bigint NOT NULL, CONSTRAINT "${counts}_key" UNIQUE NULLS NOT DISTINCT (${key})) WITH (fillfactor = 70)`
      : `CREATE TABLE "${counts}" (${columns}, "live" integer NOT NULL)`,
    ...(database === 'postgres'
      ? []
      : [`CREATE UNIQUE INDEX "${counts}_key" ON "${counts}" (${key})`]),
    // Business-unit scopes; filters by the first carried column.
    `CREATE INDEX "${counts}_unit_idx" ON "${counts}" ("account_id", "business_unit_id", ${carried})`,
    `CREATE INDEX "${counts}_${counted.carried[0][0]}_idx" ON "${counts}" ("account_id", ${carried})`,
    `INSERT INTO "${counts}" (${key}, "live")
      SELECT ${key}, COUNT(*) FROM "${counted.table}" WHERE "archived_at" IS NULL GROUP BY ${key}`,
  ];
}

/** The statements of one table's live counts other than its table: `counts` is that table's name. */
type LiveCountStatements = (counted: LiveCountTable, counts: string) => string[];

/** Creates each record table's live counts ({@link createLiveCounts}), then runs its `maintenance`: its triggers. */
export async function createAllLiveCounts(
  queryRunner: QueryRunner,
  database: 'postgres' | 'sqlite',
  maintenance: LiveCountStatements,
): Promise<void> {
  for (const counted of LIVE_COUNT_TABLES) {
    const counts = liveCountsOf(counted.table);
    for (const statement of [
      ...createLiveCounts(counted, database),
      ...maintenance(counted, counts),
    ]) {
      await queryRunner.query(statement);
    }
  }
}

/** Undoes {@link createAllLiveCounts}: for each table, last first, `maintenance` (dropping its triggers), then its counts. */
export async function dropAllLiveCounts(
  queryRunner: QueryRunner,
  maintenance: LiveCountStatements,
): Promise<void> {
  for (const counted of [...LIVE_COUNT_TABLES].reverse()) {
    const counts = liveCountsOf(counted.table);
    for (const statement of [...maintenance(counted, counts), `DROP TABLE "${counts}"`]) {
      await queryRunner.query(statement);
    }
  }
}
