import { Injectable } from '@nestjs/common';
import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { RecordAction, SqlCondition } from '@custos/access';
import { RequestContext, TransactionHost } from '@custos/core';
import { ACCOUNT_OF_ROW, type PropertySchema } from '../kernel';
import type { RecordAccess } from './record-access';
import { processableRecords } from './record-restriction';
import { LIVE_ROWS } from './record.entities';
import { fromRow, recordColumns, type StoredRecord } from './record-store';
import { RecordErrors } from './records.errors';

/** Which records by their archive state: active ones (`false`), archived ones, or both (`'any'`). */
export type ArchivedScope = boolean | 'any';

export interface RecordScope {
  archived?: ArchivedScope;
}

export interface ScopedQueryOptions extends RecordScope {
  /** The records the actor may read and also this action (default `read`: readable ones). */
  action?: RecordAction;
  /** `false`: the planner is kept from driving the query by the scope indexes (see {@link RecordQuery.walksSortIndex}). */
  scopeIndexes?: boolean;
  /** Records selected to be marketed to (an audience): restricted subjects are left out, as from exports. */
  forMarketing?: boolean;
}

export interface RecordLookup extends RecordScope {
  /** Lock the rows for update (PostgreSQL; SQLite transactions are serialised). */
  lock?: boolean;
}

export interface RecordRequirement extends RecordLookup {
  /** The action a 403 names when it is not the one checked (restoring needs `delete`). */
  refusedAs?: string;
  /** With several ids, names item `index` in refusals. */
  item?: (index: number) => string;
}

/** Which rows of a scoped query to read: the select list, the order and at most how many. */
export interface ScopedSelect {
  /** Select list (alias `r`), e.g. `recordColumns(schema)`. */
  select: string;
  order?: string;
  limit?: number;
}

/** An export's reading of a scope (see {@link RecordQuery.allById}). */
export interface RecordsById {
  /** Every record of the scope, ordered by id, nothing selected yet. */
  all: SelectQueryBuilder<ObjectLiteral>;
  /**
   * SQLite: the scope's row ids (`query`, alias `r`). When there are fewer than `fewerThan`, the
   * rows are read by them, in table order, and then sorted by id; else `all` walks the id index.
   */
  rowIds?: { query: SelectQueryBuilder<ObjectLiteral>; fewerThan: number };
}

/**
 * The scoped query as SQL fragments, alias `r`: the account, the archive state, the actor's rules
 * and whatever the caller adds ({@link and}), AND-ed. {@link RecordQuery.scope} makes it; lists,
 * searches, totals and records by id read it as SQL text built once per shape
 * ({@link RecordQuery.rows}, {@link RecordQuery.count}, {@link RecordQuery.find}), exports and history through a query builder made from the very
 * same conditions ({@link RecordQuery.builder}).
 */
export class ScopedRecords {
  constructor(
    readonly table: string,
    readonly conditions: readonly SqlCondition[],
    /** Set while the conditions are exactly a maintained count's (no filter added yet). */
    readonly counted?: CountedScope,
    /** SQLite: the index the query must walk (`INDEXED BY`; see {@link RecordQuery.walksSortIndex}). */
    readonly walked?: string,
    /** Set while the records are live ones: the live counts that may answer their total. */
    readonly liveCounts?: LiveCounts,
  ) {}

  /** These records that also match `condition` (these when there is none). */
  and(condition: SqlCondition | null | undefined): ScopedRecords {
    return condition
      ? new ScopedRecords(
          this.table,
          [...this.conditions, condition],
          undefined,
          this.walked,
          this.liveCounts,
        )
      : this;
  }

  /** These records, read by walking `index` (SQLite's `INDEXED BY`: same rows, another plan). */
  walking(index: string): ScopedRecords {
    return new ScopedRecords(this.table, this.conditions, this.counted, index, this.liveCounts);
  }

  /**
   * `FROM … WHERE …` of the live counts whose sum is the number of these records, when every
   * condition but the live-rows one declares that it reads only columns the counts are grouped
   * by: such a condition holds for all or none of a count's records, so the SUM over the counts
   * it selects is the `COUNT(*)` of the records (alias `r` too: the very same conditions).
   * `undefined` otherwise (a custom property, a sensitive filter, the processing restriction…).
   */
  fromLiveCounts(): SqlCondition | undefined {
    const counts = this.liveCounts;
    const conditions = this.conditions.filter((condition) => condition !== LIVE_ONLY);
    if (
      !counts ||
      conditions.length === this.conditions.length ||
      !conditions.every((condition) =>
        condition.columns?.every((column) => counts.columns.includes(column)),
      )
    ) {
      return undefined;
    }
    return new ScopedRecords(counts.table, conditions).fromWhere();
  }

  /**
   * `FROM … WHERE …` of the custom value counts whose sum is the number of these records, when
   * exactly one condition has a form over those counts ({@link ValueCountedCondition}, a filter
   * by equality on an indexed custom property) and every other condition but the live-rows one
   * reads only the counts' key columns, as for {@link fromLiveCounts}. `undefined` otherwise.
   */
  fromValueCounts(): SqlCondition | undefined {
    const counts = this.liveCounts;
    const conditions = this.conditions.filter((condition) => condition !== LIVE_ONLY);
    const valued = conditions.filter(
      (condition): condition is Required<ValueCountedCondition> =>
        (condition as ValueCountedCondition).valueCounts !== undefined,
    );
    const keyed = (condition: SqlCondition) =>
      condition.columns?.every((column) => counts?.columns.includes(column)) ?? false;
    if (
      !counts ||
      conditions.length === this.conditions.length ||
      valued.length !== 1 ||
      !keyed(valued[0].valueCounts) ||
      !conditions.every((condition) => condition === valued[0] || keyed(condition))
    ) {
      return undefined;
    }
    return new ScopedRecords(
      counts.values,
      conditions.map((condition) => (condition === valued[0] ? valued[0].valueCounts : condition)),
    ).fromWhere();
  }

  /** `FROM … WHERE …` and its named parameters. */
  fromWhere(): SqlCondition {
    const parameters: Record<string, unknown> = {};
    let where = '';
    for (const condition of this.conditions) {
      where += where ? ` AND (${condition.sql})` : `(${condition.sql})`;
      Object.assign(parameters, condition.parameters);
    }
    const indexed = this.walked ? ` INDEXED BY "${this.walked}"` : '';
    return { sql: `FROM "${this.table}" "r"${indexed} WHERE ${where}`, parameters };
  }
}

/**
 * The live records of one account and table that `crm_record_count` sums: all of them, or those
 * of the listed owners or business units. The triggers of migration `RecordCounts` keep that
 * table in the transaction of every write to a record table (docs/query-performance.md).
 */
export interface CountedScope {
  accountId: string;
  owners?: readonly string[];
  businessUnits?: readonly string[];
}

/**
 * The live records of a table counted per account, owner, business unit and the columns the owner
 * filter index carries (`ObjectType.scopeCarried`): a table `<record table>_live_count` with the
 * record table's column names and `live`, kept by the triggers of migration `RecordLiveCounts` in
 * the transaction of every write (docs/query-performance.md, "Maintained totals").
 */
export interface LiveCounts {
  table: string;
  columns: readonly string[];
  /**
   * The same counts per indexed custom property and value besides (`<record table>_custom_count`:
   * `property_name`, `value`, then these columns), kept by the triggers of migration
   * `CustomValueCounts` (docs/query-performance.md, "Custom value counts").
   */
  values: string;
}

/**
 * A condition that holds the same form over the custom value counts (alias `r`, columns
 * `property_name`, `value` and the live counts'), `columns` naming the key columns that form reads:
 * its filter compiler declares it (an `eq` on an indexed custom property).
 */
export interface ValueCountedCondition extends SqlCondition {
  valueCounts?: SqlCondition;
}

function liveCountsOf(schema: PropertySchema): LiveCounts {
  return {
    table: `${schema.objectType.table}_live_count`,
    columns: ['account_id', 'owner_id', 'business_unit_id', ...schema.objectType.scopeCarried],
    values: `${schema.objectType.table}_custom_count`,
  };
}

/** Live records only: the condition {@link ScopedRecords.fromLiveCounts} leaves out (they hold no other). */
const LIVE_ONLY: SqlCondition = { sql: 'r.archived_at IS NULL', parameters: {} };

/** How long {@link RecordQuery}'s planner statistics are kept. */
const STATISTICS_KEPT_MS = 10_000;

/** Every record of the account: only for checking rules against a record, never for showing one. */
const EVERY_RECORD: SqlCondition = { sql: '1 = 1', parameters: {} };

/**
 * The one way to read records: the actor's account, the archive state and the actor's record rules
 * are applied here, always. Lists, searches, segments, counts and single-record paths all start
 * from it, and {@link require} is the one "invisible → 404, visible but not allowed → 403".
 */
@Injectable()
export class RecordQuery {
  /** {@link liveRows} by table, and until when each is kept. */
  private readonly statistics = new Map<string, { live: number; until: number }>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  /**
   * The base query (alias `r`, nothing selected yet) of the records the actor may read and, when
   * `action` is not `read`, also `action` (an export holds what one may read and export).
   */
  scoped(
    schema: PropertySchema,
    access: RecordAccess,
    options: ScopedQueryOptions = {},
  ): SelectQueryBuilder<ObjectLiteral> {
    return this.builder(this.scope(schema, access, options));
  }

  /** {@link scoped} as SQL fragments, for the reads of the hot path ({@link rows}, {@link count}). */
  scope(
    schema: PropertySchema,
    access: RecordAccess,
    {
      archived = false,
      scopeIndexes = true,
      action = 'read',
      forMarketing = false,
    }: ScopedQueryOptions = {},
  ): ScopedRecords {
    const accountId = this.context.requireAccountId();
    const processing = this.processing(schema, action, forMarketing);
    // Live records readable by owner or unit alone: the maintained counts answer their total.
    const readScope =
      archived === false && action === 'read' && !processing ? access.readScope() : undefined;
    const scope = new ScopedRecords(
      schema.objectType.table,
      scopeConditions(accountId, archived, permitted(access, action, scopeIndexes)),
      readScope && { accountId, ...readScope },
      undefined,
      archived === false ? liveCountsOf(schema) : undefined,
    );
    return scope.and(processing);
  }

  /**
   * Processing never reaches a subject whose processing is restricted (GDPR Art. 18): exports,
   * marketing, and integrations — private apps, which sync records out — do not see them; people
   * still read them. `null` when nothing is left out.
   */
  private processing(
    schema: PropertySchema,
    action: RecordAction,
    forMarketing: boolean,
  ): SqlCondition | null {
    const integration = this.context.actor?.kind === 'private_app';
    return action === 'export' || forMarketing || integration ? processableRecords(schema) : null;
  }

  /** A query builder (nothing selected yet) of exactly `scope`'s records. */
  builder(scope: ScopedRecords): SelectQueryBuilder<ObjectLiteral> {
    return builderOf(this.transactions.manager, scope);
  }

  /** The rows of `scope` as `read` selects and orders them (raw, as the driver returns them). */
  rows(
    scope: ScopedRecords,
    { select, order, limit }: ScopedSelect,
  ): Promise<Record<string, unknown>[]> {
    const { sql, parameters } = scope.fromWhere();
    // The limit is written out (as a query builder writes it): a page size is one of a few.
    const text = `SELECT ${select} ${sql}${order ? ` ORDER BY ${order}` : ''}${
      limit === undefined ? '' : ` LIMIT ${Math.trunc(limit)}`
    }`;
    return this.transactions.queryNamed(text, parameters);
  }

  /**
   * How many records `scope` holds; with `upTo`, counting stops after that many. From the
   * maintained counts when they hold the answer: `crm_record_count` for an owner and unit scope
   * alone, the live counts when every condition reads their columns only; else `COUNT(*)`.
   */
  async count(scope: ScopedRecords, upTo?: number): Promise<number> {
    const maintained = await this.countFromMaintained(scope);
    if (maintained !== undefined) {
      return upTo === undefined ? maintained : Math.min(maintained, Math.trunc(upTo));
    }
    const { sql, parameters } = scope.fromWhere();
    const text =
      upTo === undefined
        ? `SELECT COUNT(*) AS "total" ${sql}`
        : `SELECT COUNT(*) AS "total" FROM (SELECT 1 ${sql} LIMIT ${Math.trunc(upTo)}) "counted"`;
    const [row] = await this.transactions.queryNamed<{ total: string | number }>(text, parameters);
    return Number(row?.total ?? 0);
  }

  /** How many records `scope` holds, when the maintained or live counts answer it (no row read). */
  private countFromMaintained(scope: ScopedRecords): Promise<number | undefined> {
    return scope.counted ? this.maintainedCount(scope.table, scope.counted) : this.liveCount(scope);
  }

  /** The sum of `scope`'s live counts (see {@link ScopedRecords.fromLiveCounts}), when they answer it. */
  private async liveCount(scope: ScopedRecords): Promise<number | undefined> {
    const counts = scope.fromLiveCounts() ?? scope.fromValueCounts();
    if (!counts) {
      return undefined;
    }
    const [row] = await this.transactions.queryNamed<{ total: string | number | null }>(
      `SELECT SUM(r.live) AS "total" ${counts.sql}`,
      counts.parameters,
    );
    return Number(row?.total ?? 0);
  }

  /** The sum of `crm_record_count` over `counted`: as many rows as owners and units, not records. */
  private async maintainedCount(table: string, counted: CountedScope): Promise<number> {
    const { accountId, owners, businessUnits } = counted;
    const parameters: Record<string, unknown> = { accountId, table };
    const within: string[] = [];
    if (owners?.length) {
      within.push('c.owner_id IN (:...owners)');
      parameters.owners = owners;
    }
    if (businessUnits?.length) {
      within.push('c.business_unit_id IN (:...businessUnits)');
      parameters.businessUnits = businessUnits;
    }
    const whole = owners === undefined && businessUnits === undefined;
    if (!whole && within.length === 0) {
      return 0;
    }
    const [row] = await this.transactions.queryNamed<{ total: string | number | null }>(
      `SELECT SUM(c.live) AS "total" FROM "crm_record_count" "c" WHERE c.account_id = :accountId AND c.object_table = :table${
        whole ? '' : ` AND (${within.join(' OR ')})`
      }`,
      parameters,
    );
    return Number(row?.total ?? 0);
  }

  /** SQLite: the plan of a sorted page depends on how many records match (see {@link walksSortIndex}). */
  get plansFromCounts(): boolean {
    return this.transactions.manager.connection.options.type !== 'postgres';
  }

  /**
   * Whether a page of `limit` live records sorted by `column`, out of `matching` the actor may
   * see, should walk the live index of that column rather than collect the scope through the
   * owner or business-unit index (or a filtered column's) and sort it: walking reads about
   * `limit × live / matching` rows, sorting `matching`. PostgreSQL's planner weighs the LIMIT
   * itself; SQLite's does not and picks the scope or filter index and a temporary B-tree, so there
   * the answer is the index to walk (`ScopedRecords.walking`), else `undefined`. The number of live
   * rows is ANALYZE's (`sqlite_stat1`); without statistics the planner decides. `matching` is the
   * page's total, or, when none was counted, the page's scope: it is then counted only as far as
   * the answer needs (at 1,000,000 contacts, ~7,100 index entries for a page of 50; a page by
   * creation date of the 12 % in one country, planned blind, sorted 120,000 rows: ~1.4 s).
   */
  async walksSortIndex(
    schema: PropertySchema,
    column: string,
    matching: number | ScopedRecords,
    limit: number,
  ): Promise<string | undefined> {
    const manager = this.transactions.manager;
    const table = schema.objectType.table;
    const index = liveSortIndexes(manager, table).get(column);
    if (manager.connection.options.type === 'postgres' || !index) {
      return undefined;
    }
    const live = await this.liveRows(table);
    if (!Number.isFinite(live)) {
      return undefined;
    }
    // Walking reads fewer rows from this many matches on: matching² ≥ (limit + 1) × live.
    const walkedFrom = Math.ceil(Math.sqrt((limit + 1) * live));
    const matches =
      typeof matching === 'number' ? matching : await this.count(matching, walkedFrom);
    return matches >= walkedFrom ? index : undefined;
  }

  /**
   * ANALYZE's count of `table`'s live rows (`NaN` without statistics), read at most once per
   * {@link STATISTICS_KEPT_MS}: statistics change only when ANALYZE runs (after a seed or a large
   * import), and a count a few seconds old only weighs a plan, never changes a result. "No
   * statistics yet" is not kept, so the first ANALYZE counts at once.
   */
  private async liveRows(table: string): Promise<number> {
    const kept = this.statistics.get(table);
    if (kept && kept.until > Date.now()) {
      return kept.live;
    }
    // The statistics table exists once ANALYZE (or PRAGMA optimize) has run.
    const [stat] = await this.transactions.manager
      .query<{ stat: string }[]>(`SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx = ?`, [
        table,
        `${table}_live_id_idx`,
      ])
      .catch(() => []);
    const live = stat ? Number.parseInt(stat.stat, 10) : Number.NaN;
    if (Number.isFinite(live)) {
      this.statistics.set(table, { live, until: Date.now() + STATISTICS_KEPT_MS });
    }
    return live;
  }

  /**
   * All of `scope`'s records ordered by id, as an export reads them (nothing selected yet), and on
   * SQLite the scope's row ids to read a narrow scope by. SQLite's planner walks the live id index
   * for `ORDER BY id` whatever the scope, reading every live row of the account to keep a team's
   * share. When the scope holds less than half of them, its row ids are better collected through
   * the owner or business-unit index first and its rows then read in table order and sorted by id
   * (`streamedRows`): read in the scope index's order instead, nearly every row costs a read of
   * its table page of its own (the connection's page cache holds 2 MB; at 1,000,000 contacts,
   * 65,577 rows: the statement 0.43–0.59 s against 0.33–0.40 s, docs/benchmarks.md). The row ids
   * are counted as they are collected (up to half the live rows), so that nothing counts the scope
   * beforehand, unless the maintained counts already say it is wide. PostgreSQL's planner weighs
   * all this itself (a bitmap heap scan).
   */
  async allById(schema: PropertySchema, scope: ScopedRecords): Promise<RecordsById> {
    const all = this.builder(scope).orderBy('r.id', 'ASC');
    if (this.transactions.manager.connection.options.type === 'postgres') {
      return { all };
    }
    const live = await this.liveRows(schema.objectType.table);
    // Fewer than `half` is exactly fewer than live / 2.
    const half = Math.ceil(live / 2);
    if (!Number.isFinite(live) || ((await this.countFromMaintained(scope)) ?? 0) >= half) {
      return { all };
    }
    return { all, rowIds: { query: this.builder(scope).select('r.rowid'), fewerThan: half } };
  }

  /**
   * The records among `ids` the actor may read and, when `action` is not `read`, also `action`;
   * in no particular order.
   */
  async find(
    schema: PropertySchema,
    access: RecordAccess,
    ids: readonly string[],
    { action = 'read', ...lookup }: RecordLookup & { action?: RecordAction } = {},
  ): Promise<StoredRecord[]> {
    const records = await this.findRecords(
      schema,
      this.context.requireAccountId(),
      ids,
      both(permitted(access, action), this.processing(schema, action, false)),
      lookup,
    );
    await access.sensitive?.loadSubjects(records.map((record) => record.id));
    return records;
  }

  /**
   * The record, if the actor may read it and `action` it. A record they may not read does not
   * exist for them (404); one they may read but not `action` is a 403 naming the action.
   */
  async require(
    schema: PropertySchema,
    access: RecordAccess,
    id: string,
    action: RecordAction,
    requirement: Omit<RecordRequirement, 'item'> = {},
  ): Promise<StoredRecord> {
    const [record] = await this.requireAll(schema, access, [id], action, requirement);
    return record;
  }

  /**
   * {@link require} for several records, in the order of `ids`. With more than one id, refusals
   * name the item: `item(index)` for a 403, `item(index).id` for a record not found (422).
   */
  async requireAll(
    schema: PropertySchema,
    access: RecordAccess,
    ids: readonly string[],
    action: RecordAction,
    { item, refusedAs = action, ...lookup }: RecordRequirement = {},
  ): Promise<StoredRecord[]> {
    const found = new Map(
      (await this.find(schema, access, ids, { ...lookup, action })).map((r) => [r.id, r]),
    );
    if (found.size === new Set(ids).size) {
      return ids.map((id) => found.get(id)!);
    }
    const visible = new Set(
      action === 'read'
        ? []
        : (await this.find(schema, access, ids, { archived: lookup.archived })).map((r) => r.id),
    );
    const itemAt = ids.length > 1 ? item : undefined;
    ids.forEach((id, index) => {
      if (found.has(id)) {
        return;
      }
      if (visible.has(id)) {
        throw RecordErrors.forbidden(schema, refusedAs, itemAt?.(index));
      }
      throw itemAt
        ? RecordErrors.notFoundAt(schema, `${itemAt(index)}.id`)
        : RecordErrors.notFound(schema);
    });
    return [];
  }

  /**
   * The record as the account holds it, with no record rule applied: for checking rules against
   * it (explaining access), never for showing it.
   */
  async forRuleCheck(
    schema: PropertySchema,
    accountId: string,
    id: string,
  ): Promise<StoredRecord | undefined> {
    const [record] = await this.findRecords(schema, accountId, [id], EVERY_RECORD, {});
    return record;
  }

  /**
   * The records among `ids` in `where`'s scope, read as SQL text built once per shape (as
   * {@link rows}): a query builder per lookup cost more CPU than the lookup of one record by id.
   */
  private async findRecords(
    schema: PropertySchema,
    accountId: string,
    ids: readonly string[],
    where: SqlCondition,
    { archived = false, lock = false }: RecordLookup,
  ): Promise<StoredRecord[]> {
    if (ids.length === 0) {
      return [];
    }
    const { sql, parameters } = new ScopedRecords(
      schema.objectType.table,
      scopeConditions(accountId, archived, where),
    )
      .and({ sql: 'r.id IN (:...ids)', parameters: { ids } })
      .fromWhere();
    // As a query builder's pessimistic_write; SQLite serialises transactions instead.
    const forUpdate = lock && this.transactions.manager.connection.options.type === 'postgres';
    // One record by id — every `GET`, update or reveal of a record — is prepared on PostgreSQL:
    // its plan is the primary key's whatever the values, and its shapes are few (object type ×
    // rule shape × archived × lock).
    const rows = await this.transactions.queryNamed<Record<string, unknown>>(
      `SELECT ${recordColumns(schema)} ${sql}${forUpdate ? ' FOR UPDATE' : ''}`,
      parameters,
      { prepare: ids.length === 1 },
    );
    return rows.map((row) => fromRow(schema, row));
  }
}

/** The records the actor may read and `action`, as one SQL condition. */
function permitted(access: RecordAccess, action: RecordAction, scopeIndexes = true): SqlCondition {
  const readable = access.where('read', 'r', { scopeIndexes });
  if (action === 'read') {
    return readable;
  }
  return both(readable, access.where(action, 'r', { scopeIndexes }));
}

/** `where` and, when there is one, `also`. */
function both(where: SqlCondition, also: SqlCondition | null): SqlCondition {
  return also
    ? {
        sql: `(${where.sql}) AND (${also.sql})`,
        parameters: { ...where.parameters, ...also.parameters },
        columns: where.columns && also.columns && [...where.columns, ...also.columns],
      }
    : where;
}

const sortIndexesByTable = new Map<string, ReadonlyMap<string, string>>();

/**
 * The live-row indexes of `table` in the order of a sort by one column then id, by that column
 * (account first; `id` itself too): what a page sorted by the column may walk.
 */
function liveSortIndexes(manager: EntityManager, table: string): ReadonlyMap<string, string> {
  let indexes = sortIndexesByTable.get(table);
  if (!indexes) {
    const metadata = manager.connection.entityMetadatas.find((m) => m.tableName === table);
    indexes = new Map(
      (metadata?.indices ?? [])
        .filter(
          ({ where, columns }) =>
            where === LIVE_ROWS &&
            columns.length > 1 &&
            (columns[1].databaseName === 'id' || columns[2]?.databaseName === 'id'),
        )
        .map((index) => [index.columns[1].databaseName, index.name]),
    );
    sortIndexesByTable.set(table, indexes);
  }
  return indexes;
}

/** The account (as `selectAccountRows` spells it), the archive state and the rules. */
function scopeConditions(
  accountId: string,
  archived: ArchivedScope,
  where: SqlCondition,
): SqlCondition[] {
  const conditions: SqlCondition[] = [
    { sql: ACCOUNT_OF_ROW, parameters: { accountId }, columns: ['account_id'] },
  ];
  if (archived !== 'any') {
    conditions.push(archived ? { sql: 'r.archived_at IS NOT NULL', parameters: {} } : LIVE_ONLY);
  }
  conditions.push(where);
  return conditions;
}

function builderOf(
  manager: EntityManager,
  scope: ScopedRecords,
): SelectQueryBuilder<ObjectLiteral> {
  const builder = manager.createQueryBuilder().from(scope.table, 'r');
  for (const condition of scope.conditions) {
    builder.andWhere(`(${condition.sql})`, condition.parameters);
  }
  return builder;
}
