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

/** The key columns of a counts table: account, owner, business unit and `counted`'s carried columns, typed; `extra` after the account. */
function keyColumns(counted: LiveCountTable, extra = ''): string {
  return `"account_id" varchar(36) NOT NULL, ${extra}"owner_id" varchar(36), "business_unit_id" varchar(36), ${counted.carried
    .map(([name, type]) => `"${name}" ${type}`)
    .join(', ')}`;
}

/**
 * A counts table with `columns` and `live`, one row per `key` (NULLs as values: PostgreSQL's
 * `NULLS NOT DISTINCT`, which `ON CONFLICT` finds, room on each page for heap-only updates;
 * SQLite's unique index treats NULLs as distinct, so its triggers look a key up with `IS`).
 */
function createCountsTable(
  counts: string,
  columns: string,
  key: string,
  database: 'postgres' | 'sqlite',
): string[] {
  return database === 'postgres'
    ? [
        `CREATE TABLE "${counts}" (${columns}, "live" bigint NOT NULL, CONSTRAINT "${counts}_key" UNIQUE NULLS NOT DISTINCT (${key})) WITH (fillfactor = 70)`,
      ]
    : [
        `CREATE TABLE "${counts}" (${columns}, "live" integer NOT NULL)`,
        `CREATE UNIQUE INDEX "${counts}_key" ON "${counts}" (${key})`,
      ];
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
  return [
    ...createCountsTable(counts, keyColumns(counted), key, database),
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

/**
 * Which custom properties of which account have their live records counted per value (the
 * indexed ones, written by the custom property index job): the triggers of migration
 * `CustomValueCounts` read it, so that marking a property needs no DDL per property.
 */
export const COUNTED_PROPERTIES = 'crm_counted_property';

/** The custom value counts table of `table` (the name `RecordQuery` reads). */
export const customValueCountsOf = (table: string): string => `${table}_custom_count`;

/** The key of a custom value counts table: the property, its value, then the live counts' key. */
export function customValueCountKey(counted: LiveCountTable): string[] {
  const [account, ...rest] = liveCountKey(counted);
  return [account, '"property_name"', '"value"', ...rest];
}

/**
 * The statements that create the registry and each record table's custom value counts: the live
 * counts' key plus the property and its value as the database reads it from `custom` (SQLite: a
 * column without type, so `json_extract`'s integer, real or text keeps its storage class and
 * compares as the filter's expression does; PostgreSQL: `->>`'s text). Empty: nothing is counted
 * until the index job registers a property and fills its counts.
 */
export function createCustomValueCounts(database: 'postgres' | 'sqlite'): string[] {
  const statements = [
    `CREATE TABLE "${COUNTED_PROPERTIES}" ("account_id" varchar(36) NOT NULL, "object_table" varchar(64) NOT NULL, "property_name" varchar(100) NOT NULL, "property_id" varchar(36) NOT NULL, CONSTRAINT "${COUNTED_PROPERTIES}_key" PRIMARY KEY ("account_id", "object_table", "property_name"))`,
    `CREATE INDEX "${COUNTED_PROPERTIES}_property_idx" ON "${COUNTED_PROPERTIES}" ("property_id")`,
  ];
  for (const counted of LIVE_COUNT_TABLES) {
    const counts = customValueCountsOf(counted.table);
    const key = customValueCountKey(counted).join(', ');
    const columns = keyColumns(
      counted,
      `"property_name" varchar(100) NOT NULL, "value" ${database === 'postgres' ? 'text' : ''} NOT NULL, `,
    );
    statements.push(...createCountsTable(counts, columns, key, database));
  }
  return statements;
}

/**
 * Registers the properties indexed (and `ready`) before this migration and counts their values
 * in every record table, as the index job does for one property from then on.
 */
export function fillCustomValueCounts(database: 'postgres' | 'sqlite'): string[] {
  const tables = LIVE_COUNT_TABLES.map(({ table }) => table);
  const objectTable = `CASE "object_type" WHEN 'contacts' THEN '${tables[0]}' WHEN 'companies' THEN '${tables[1]}' WHEN 'deals' THEN '${tables[2]}' END`;
  const yes = database === 'postgres' ? 'true' : '1';
  return [
    `INSERT INTO "${COUNTED_PROPERTIES}" ("account_id", "object_table", "property_name", "property_id")
      SELECT "account_id", ${objectTable}, "name", "id" FROM "crm_property"
      WHERE "indexed" = ${yes} AND "index_state" = 'ready' AND "sensitive" <> ${yes} AND "object_type" IN ('contacts', 'companies', 'deals')`,
    ...LIVE_COUNT_TABLES.map((counted) =>
      countRegistered(
        counted,
        database === 'postgres'
          ? `r."custom"::jsonb ->> p."property_name"`
          : `json_extract(r."custom", '$.' || p."property_name")`,
      ),
    ),
  ];
}

/**
 * Counts the values of `counted`'s registered properties (those `registered` selects, a condition
 * on the registry `p`) in its live rows `r`, as `value` reads them.
 */
export function countRegistered(counted: LiveCountTable, value: string, registered = ''): string {
  const rest = liveCountKey(counted).slice(1);
  const grouped = `r."account_id", p."property_name", ${value}, ${rest.map((column) => `r.${column}`).join(', ')}`;
  return `INSERT INTO "${customValueCountsOf(counted.table)}" (${customValueCountKey(counted).join(', ')}, "live")
        SELECT ${grouped}, COUNT(*) FROM "${counted.table}" r
        JOIN "${COUNTED_PROPERTIES}" p ON p."account_id" = r."account_id" AND p."object_table" = '${counted.table}'${registered}
        WHERE r."archived_at" IS NULL AND ${value} IS NOT NULL
        GROUP BY ${grouped}`;
}

/**
 * PostgreSQL: the value of each registered property in each live row of the transition table
 * `rows`, with `delta`; `value` makes what the counts hold of `->>`'s text (registry `p`).
 */
function liveValues(
  counted: LiveCountTable,
  rows: string,
  delta: 1 | -1,
  value: (text: string) => string,
): string {
  const rest = liveCountKey(counted).slice(1);
  return `SELECT t."account_id", p."property_name", ${value(`t."custom"::jsonb ->> p."property_name"`)} AS "value", ${rest
    .map((column) => `t.${column}`)
    .join(', ')}, ${delta} AS "delta"
    FROM ${rows} t JOIN "${COUNTED_PROPERTIES}" p ON p."account_id" = t."account_id" AND p."object_table" = '${counted.table}'
    WHERE t."archived_at" IS NULL`;
}

/** PostgreSQL: adds `rows`' deltas to their counts: keys summed, in key order (as `RecordLiveCounts`). */
function addCounts(counted: LiveCountTable, rows: string): string {
  const counts = customValueCountsOf(counted.table);
  const key = customValueCountKey(counted).join(', ');
  return `INSERT INTO "${counts}" (${key}, "live")
    SELECT ${key}, SUM("delta") FROM (${rows}) "changes"
    WHERE "value" IS NOT NULL
    GROUP BY ${key}
    HAVING SUM("delta") <> 0
    ORDER BY ${key}
    ON CONFLICT (${key}) DO UPDATE SET "live" = "${counts}"."live" + excluded."live";`;
}

/**
 * PostgreSQL: the statement triggers of `counted`'s custom value counts ({@link countTriggers}),
 * counting `value(text)` of each registered property's `->>` text.
 */
export function customCountTriggers(
  counted: LiveCountTable,
  value: (text: string) => string,
): string[] {
  return countTriggers(
    counted.table,
    customValueCountsOf(counted.table),
    (rows, delta) => liveValues(counted, rows, delta, value),
    (rows) => addCounts(counted, rows),
  );
}

/** PostgreSQL: {@link customCountTriggers}' function with a new `value` (the triggers keep calling it). */
export function replaceCustomCountFunction(
  counted: LiveCountTable,
  value: (text: string) => string,
): string {
  return countFunction(
    customValueCountsOf(counted.table),
    (rows, delta) => liveValues(counted, rows, delta, value),
    (rows) => addCounts(counted, rows),
    true,
  );
}

/** Undoes {@link createCustomValueCounts}. */
export function dropCustomValueCounts(): string[] {
  return [
    ...[...LIVE_COUNT_TABLES]
      .reverse()
      .map(({ table }) => `DROP TABLE "${customValueCountsOf(table)}"`),
    `DROP TABLE "${COUNTED_PROPERTIES}"`,
  ];
}

/** PostgreSQL's statement triggers of a counts table: each event and the transition tables it reads. */
export const COUNT_TRIGGERS = [
  ['insert', 'NEW TABLE AS "new_rows"'],
  ['delete', 'OLD TABLE AS "old_rows"'],
  ['update', 'OLD TABLE AS "old_rows" NEW TABLE AS "new_rows"'],
] as const;

/**
 * PostgreSQL: the function `<counts>_changed` of {@link countTriggers} (`replace`: `CREATE OR
 * REPLACE`, the triggers keep calling it).
 */
function countFunction(
  counts: string,
  changed: (rows: string, delta: 1 | -1) => string,
  addCounts: (rows: string) => string,
  replace: boolean,
): string {
  return `CREATE ${replace ? 'OR REPLACE ' : ''}FUNCTION "${counts}_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${addCounts(changed('"new_rows"', 1))}
        ELSIF TG_OP = 'DELETE' THEN
          ${addCounts(changed('"old_rows"', -1))}
        ELSE
          ${addCounts(`${changed('"old_rows"', -1)} UNION ALL ${changed('"new_rows"', 1)}`)}
        END IF;
        RETURN NULL;
      END
    $$`;
}

/**
 * PostgreSQL: the function `<counts>_changed` and its statement triggers on `table`, adding the
 * deltas `addCounts` sums from a `SELECT` of the changed rows (`changed(rows, delta)`).
 */
export function countTriggers(
  table: string,
  counts: string,
  changed: (rows: string, delta: 1 | -1) => string,
  addCounts: (rows: string) => string,
): string[] {
  return [
    countFunction(counts, changed, addCounts, false),
    ...COUNT_TRIGGERS.map(
      ([event, transitions]) =>
        `CREATE TRIGGER "${counts}_${event}" AFTER ${event.toUpperCase()} ON "${table}" REFERENCING ${transitions} FOR EACH STATEMENT EXECUTE FUNCTION "${counts}_changed"()`,
    ),
  ];
}

/** Undoes {@link countTriggers}. */
export function dropCountTriggers(table: string, counts: string): string[] {
  return [
    ...COUNT_TRIGGERS.map(([event]) => `DROP TRIGGER "${counts}_${event}" ON "${table}"`),
    `DROP FUNCTION "${counts}_changed"()`,
  ];
}
