import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '@custos/access';
import { Clock, Jobs, TransactionHost, type JobQueue, type RunningJob } from '@custos/core';
import {
  dialectOf,
  objectTypeOf,
  type IndexState,
  type ObjectType,
  type PropertyType,
} from '../kernel';
import { CustomPropertyDefinition } from './property-definition.entity';

/** A custom property whose index is made or dropped. */
export interface IndexedProperty {
  id: string;
  accountId: string;
  objectType: ObjectType;
  name: string;
  type: PropertyType;
}

/**
 * What the PostgreSQL job converges to: the definition as of `since` (its `updatedAt`), which
 * asked for the index (`build`) or not.
 */
interface IndexJob {
  propertyId: string;
  since: string;
  build: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SAFE_NAME = /^[a-z][a-z0-9_]{0,99}$/;
const SAFE_TABLE = /^crm_[a-z_]+$/;

/** Checks an identifier or literal before it is written into DDL (which takes no parameters). */
function checked(value: string, pattern: RegExp): string {
  if (!pattern.test(value)) {
    throw new Error(`Unsafe value reached index DDL: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * SQLite: the indexes of one table and property name, shared by every account indexing that name
 * (`json_extract` never fails, so other accounts' values are harmless). Leading `account_id`
 * and live rows only, like the scoped query. The first serves filters and sorts on the value
 * (ties by id as the sorts break them); it does not hold `archived_at`, unlike the live-row indexes:
 * covering, it was chosen to count all of an account's live rows, and once values are written it
 * is less compact than the id index (a whole-account count cost 7.1 instead of 4.7 ms of CPU); the other a team or own-level reader's filter on it: the
 * value, then the owner the reader's scope seeks, carrying the columns rules test most
 * (`scopeCarried`), so that a scoped count with the filter reads the index alone rather than every
 * row of the scope or of the value (SQLite uses one index per table). Business-unit scopes keep
 * the value index (see `OwnerFilterIndex` in record.entities.ts for why not one for them).
 */
export function sqliteIndexes(
  objectType: ObjectType,
  name: string,
): { name: string; create: string }[] {
  const table = checked(objectType.table, SAFE_TABLE);
  const index = `${table}_cx_${checked(name, SAFE_NAME)}`;
  const value = dialectOf('sqlite').customValue('', name, 'string');
  const carried = objectType.scopeCarried.map((column) => `"${checked(column, SAFE_NAME)}"`);
  const create = (indexName: string, columns: string[]) => ({
    name: indexName,
    create: `CREATE INDEX IF NOT EXISTS "${indexName}" ON "${table}" (${columns.join(', ')}) WHERE "archived_at" IS NULL`,
  });
  return [
    create(index, ['"account_id"', value, '"id"']),
    create(`${index}_owner`, [
      '"account_id"',
      value,
      '"owner_id"',
      ...carried,
      '"id"',
      '"archived_at"',
    ]),
  ];
}

/**
 * PostgreSQL: two indexes per property, holding its account's live rows only. Per account because
 * the typed cast of the filter (`::double precision`) must be in the index for the planner to
 * match it, and would fail on another account's value of another type under the same name.
 * The planner proves the predicate from the bound `account_id` (unnamed statements are planned
 * with their parameters). The first serves filters and sorts on the value (ties by id); the
 * second a team or own-level reader's filter on it, as SQLite's: the value, then the owner,
 * carrying the columns rules test most, so that the reader's page and count read their own
 * matches, not every record of the value (a team's `gold` count 19.9 → 4.6 ms at 100,000).
 */
export function postgresIndexes(
  property: Pick<IndexedProperty, 'id' | 'accountId' | 'objectType' | 'name' | 'type'>,
): { name: string; create: string }[] {
  const table = checked(property.objectType.table, SAFE_TABLE);
  const [index, owner] = postgresIndexNames(property.id);
  const account = checked(property.accountId, UUID);
  const value = dialectOf('postgres').customValue('', property.name, property.type);
  const carried = property.objectType.scopeCarried.map(
    (column) => `"${checked(column, SAFE_NAME)}"`,
  );
  const create = (name: string, columns: string[]) => ({
    name,
    create: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "${table}" (${columns.join(', ')}) WHERE "account_id" = '${account}' AND "archived_at" IS NULL`,
  });
  return [
    create(index, [`(${value})`, '"id"']),
    create(owner, [`(${value})`, '"owner_id"', ...carried, '"id"']),
  ];
}

/** The names of {@link postgresIndexes}: the value index, then the owner-scoped one. */
export function postgresIndexNames(propertyId: string): [string, string] {
  const index = postgresIndexName(propertyId);
  return [index, `${index}_owner`];
}

export function postgresIndexName(propertyId: string): string {
  return `crm_cx_${checked(propertyId, UUID).replaceAll('-', '')}`;
}

/**
 * PostgreSQL: the statistics of an indexed custom property's value, shared by every account that
 * indexes that name in that table. ANALYZE keeps no statistics for the expressions of partial
 * indexes, so without these the planner takes any `value = x` to match 0.5 % of rows (5,037 of
 * the bench's 187,771 `gold` contacts at 1,000,000): a team reader's filtered page then read
 * their 12,031 matches through the owner index and sorted them (14.7 ms) instead of walking the
 * value's index in id order (947 rows, 4.6 ms; docs/query-performance.md). Text values only: a
 * typed value's cast (`::double precision`) would fail ANALYZE on another account's value.
 */
export function postgresValueStatistics(
  objectType: ObjectType,
  name: string,
  type: PropertyType,
): { name: string; create: string } | undefined {
  const dialect = dialectOf('postgres');
  const value = dialect.customValue('', name, type);
  if (value !== dialect.customValue('', name, 'string')) {
    return undefined;
  }
  const table = checked(objectType.table, SAFE_TABLE);
  const statistics = `${table}_cs_${checked(name, SAFE_NAME)}`;
  return {
    name: statistics,
    create: `CREATE STATISTICS IF NOT EXISTS "${statistics}" ON (${value}) FROM "${table}"`,
  };
}

/** The registry the value-count triggers read (migration `CustomValueCounts`). */
const COUNTED_PROPERTIES = 'crm_counted_property';

/**
 * Registers `property` for the value-count triggers and counts its live values as they are now
 * (a count left from an earlier registration is replaced): the statements to run in one
 * transaction in which no write to the record table can interleave (SQLite: the definition's
 * transaction; PostgreSQL: under a SHARE lock of the table, see `CustomValueCounts`). PostgreSQL
 * registers the type too and counts `->>`'s text as its filters compare it (migration
 * `CustomValueCountTypes`): `crm_custom_count_value(text, type)`.
 */
function fillValueCounts(property: IndexedProperty, postgres: boolean): [string, unknown[]][] {
  const table = checked(property.objectType.table, SAFE_TABLE);
  const counts = `${table}_custom_count`;
  const rest = ['owner_id', 'business_unit_id', ...property.objectType.scopeCarried].map(
    (column) => `r."${checked(column, SAFE_NAME)}"`,
  );
  const text = dialectOf(postgres ? 'postgres' : 'sqlite').customValue(
    'r',
    property.name,
    'string',
  );
  const value = postgres ? `crm_custom_count_value(${text}, $3)` : text;
  const p = (index: number) => (postgres ? `$${index}` : '?');
  const key = { account: property.accountId, name: property.name };
  const registration = postgres
    ? {
        columns: ', "value_type"',
        values: `, ${p(5)}`,
        update: ', "value_type" = excluded."value_type"',
        parameters: [property.type],
      }
    : { columns: '', values: '', update: '', parameters: [] };
  return [
    [
      `DELETE FROM "${counts}" WHERE "account_id" = ${p(1)} AND "property_name" = ${p(2)}`,
      [key.account, key.name],
    ],
    [
      `INSERT INTO "${COUNTED_PROPERTIES}" ("account_id", "object_table", "property_name", "property_id"${registration.columns}) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}${registration.values})
        ON CONFLICT ("account_id", "object_table", "property_name") DO UPDATE SET "property_id" = excluded."property_id"${registration.update}`,
      [key.account, table, key.name, property.id, ...registration.parameters],
    ],
    [
      `INSERT INTO "${counts}" ("account_id", "property_name", "value", ${rest.map((c) => c.slice(2)).join(', ')}, "live")
        SELECT r."account_id", ${p(1)}, ${value}, ${rest.join(', ')}, COUNT(*) FROM "${table}" r
        WHERE r."account_id" = ${p(2)} AND r."archived_at" IS NULL AND ${value} IS NOT NULL
        GROUP BY r."account_id", ${value}, ${rest.join(', ')}`,
      [key.name, key.account, ...registration.parameters],
    ],
  ];
}

/**
 * Unregisters property `propertyId` and removes its value counts (whatever its table and name
 * were: the property may be deleted already).
 */
async function clearValueCounts(
  manager: EntityManager,
  propertyId: string,
  postgres: boolean,
): Promise<void> {
  const p = (index: number) => (postgres ? `$${index}` : '?');
  const registered: { account_id: string; object_table: string; property_name: string }[] =
    await manager.query(
      `SELECT "account_id", "object_table", "property_name" FROM "${COUNTED_PROPERTIES}" WHERE "property_id" = ${p(1)}`,
      [propertyId],
    );
  for (const row of registered) {
    const table = checked(row.object_table, SAFE_TABLE);
    if (postgres) {
      // Writers that read the registration before it goes have committed their counts first.
      await manager.query(`LOCK TABLE "${table}" IN SHARE MODE`);
    }
    await manager.query(
      `DELETE FROM "${table}_custom_count" WHERE "account_id" = ${p(1)} AND "property_name" = ${p(2)}`,
      [row.account_id, row.property_name],
    );
  }
  await manager.query(`DELETE FROM "${COUNTED_PROPERTIES}" WHERE "property_id" = ${p(1)}`, [
    propertyId,
  ]);
}

/**
 * The expression indexes of custom properties an admin marks `indexed`, on exactly the expression
 * filters and sorts compile to (`SqlDialect.customValue`), so that `eq` filters and sorts on
 * them search an index instead of scanning the account's records.
 *
 * SQLite builds the index in the definition's transaction (its single writer waits either way):
 * `ready` at once. PostgreSQL builds it with `CREATE INDEX CONCURRENTLY` in a job, so that
 * writes to the table (every account's) go on during the build: `building`, then `ready` or
 * `failed`. Unmarking or deleting drops it (PostgreSQL: the same job, `DROP INDEX CONCURRENTLY`).
 */
@Injectable()
export class CustomPropertyIndexes {
  private readonly logger = new Logger(CustomPropertyIndexes.name);
  private readonly queue: JobQueue<IndexJob>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionHost,
    private readonly access: AccessService,
    private readonly clock: Clock,
    jobs: Jobs,
  ) {
    this.queue = jobs.createQueue<IndexJob>({
      name: 'crm.custom_property_index',
      // Retries only cover a definition not committed yet (a backend outside the transaction).
      attempts: 5,
      backoffMs: 500,
      process: (job) => this.converge(job),
    });
  }

  /** In the transaction that marks `property` indexed (as of `since`): the state to store. */
  async mark(manager: EntityManager, property: IndexedProperty, since: Date): Promise<IndexState> {
    if (dialectOf(manager.connection.options.type).postgres) {
      await this.enqueue(property, since, true);
      return 'building';
    }
    for (const index of sqliteIndexes(property.objectType, property.name)) {
      await manager.query(index.create);
    }
    for (const [sql, parameters] of fillValueCounts(property, false)) {
      await manager.query(sql, parameters);
    }
    return 'ready';
  }

  /** In the transaction that unmarks or deletes `property`, after its row changed. */
  async unmark(manager: EntityManager, property: IndexedProperty, since: Date): Promise<void> {
    if (dialectOf(manager.connection.options.type).postgres) {
      await this.enqueue(property, since, false);
      return;
    }
    await clearValueCounts(manager, property.id, false);
    const stillIndexed = await manager.count(CustomPropertyDefinition, {
      where: { objectType: property.objectType.name, name: property.name, indexed: true },
    });
    if (stillIndexed === 0) {
      for (const index of sqliteIndexes(property.objectType, property.name)) {
        await manager.query(`DROP INDEX IF EXISTS "${index.name}"`);
      }
    }
  }

  private async enqueue(property: IndexedProperty, since: Date, build: boolean): Promise<void> {
    await this.queue.enqueue(
      { propertyId: property.id, since: since.toISOString(), build },
      { accountId: property.accountId },
    );
  }

  /**
   * Makes the index match the definition as it is now (jobs may run late, twice or out of
   * order): build it while the property is indexed, drop it otherwise. A session advisory lock
   * per property keeps two builds of one index apart.
   */
  private async converge({ data }: RunningJob<IndexJob>): Promise<void> {
    const name = postgresIndexName(data.propertyId);
    const names = postgresIndexNames(data.propertyId);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      const row = await runner.manager.findOne(CustomPropertyDefinition, {
        where: { id: data.propertyId },
      });
      // Only a backend outside the transaction (BullMQ) can run a job before its definition is
      // committed: a retry then finds it. (A build for a property deleted since retries too, and
      // the deletion's own job drops the index.)
      if (row ? row.updatedAt.getTime() < Date.parse(data.since) : data.build) {
        throw new Error('The property definition is not committed yet');
      }
      if (!row?.indexed) {
        await this.drop(runner.manager, data.propertyId, names);
        return;
      }
      const property: IndexedProperty = {
        id: row.id,
        accountId: row.accountId,
        objectType: objectTypeOf(row.objectType),
        name: row.name,
        type: row.type,
      };
      const indexes = postgresIndexes(property);
      let state: IndexState = 'ready';
      for (const index of indexes) {
        try {
          // A build that failed or was interrupted leaves an invalid index that IF NOT EXISTS would keep.
          if (await this.invalid(runner.manager, index.name)) {
            await runner.query(`DROP INDEX CONCURRENTLY IF EXISTS "${index.name}"`);
          }
          await runner.query(index.create);
        } catch (error) {
          // The SQLSTATE only: PostgreSQL's message quotes the value the cast could not read.
          const code = (error as { code?: unknown }).code;
          this.logger.error(`Building index ${index.name} failed (SQLSTATE ${String(code)})`);
          await this.drop(runner.manager, data.propertyId, names);
          state = 'failed';
          break;
        }
      }
      if (state === 'ready') {
        await this.transactions.run(async (manager) => {
          // No write between the registration and the count (writers wait; see `CustomValueCounts`).
          await manager.query(`LOCK TABLE "${property.objectType.table}" IN SHARE MODE`);
          for (const [sql, parameters] of fillValueCounts(property, true)) {
            await manager.query(sql, parameters);
          }
        });
        const statistics = postgresValueStatistics(property.objectType, property.name, row.type);
        if (statistics) {
          await this.analyze(runner.manager, statistics, property.objectType.table);
        }
      }
      await this.finish(data.propertyId, names, state);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
      await runner.release();
    }
  }

  /** Drops the property's indexes and its value counts. */
  private async drop(
    manager: EntityManager,
    propertyId: string,
    names: readonly string[],
  ): Promise<void> {
    await this.transactions.run((counts) => clearValueCounts(counts, propertyId, true));
    for (const index of names) {
      await manager.query(`DROP INDEX CONCURRENTLY IF EXISTS "${index}"`);
    }
    await this.dropUnusedStatistics(manager);
  }

  /**
   * Creates the value's statistics and fills them. They only inform plans: a failure (another
   * account's job creating the same statistics at the same moment) is logged, not the build's.
   */
  private async analyze(
    manager: EntityManager,
    statistics: { name: string; create: string },
    table: string,
  ): Promise<void> {
    try {
      await manager.query(statistics.create);
      await manager.query(`ANALYZE "${table}"`);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.logger.warn(`Statistics ${statistics.name} not made (SQLSTATE ${String(code)})`);
    }
  }

  /**
   * Drops the value statistics ({@link postgresValueStatistics}) that no property indexed in any
   * account needs any more (the property may be deleted already: its name is not known here).
   */
  private async dropUnusedStatistics(manager: EntityManager): Promise<void> {
    const [existing, indexed] = await Promise.all([
      manager.query<{ name: string }[]>(
        `SELECT stxname AS name FROM pg_statistic_ext WHERE stxname LIKE 'crm\\_%\\_cs\\_%'`,
      ),
      manager.find(CustomPropertyDefinition, { where: { indexed: true } }),
    ]);
    const needed = new Set(
      indexed.map((p) => postgresValueStatistics(objectTypeOf(p.objectType), p.name, p.type)?.name),
    );
    for (const { name } of existing) {
      if (!needed.has(name)) {
        await manager.query(`DROP STATISTICS IF EXISTS "${name}"`);
      }
    }
  }

  /** Records the outcome, unless the property was unmarked or deleted during the build. */
  private async finish(
    propertyId: string,
    names: readonly string[],
    state: IndexState,
  ): Promise<void> {
    const dropped = await this.transactions.run(async (manager) => {
      const row = await manager.findOne(CustomPropertyDefinition, {
        where: { id: propertyId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row?.indexed) {
        return true;
      }
      if (row.indexState !== state) {
        await manager.update(
          CustomPropertyDefinition,
          { id: propertyId },
          { indexState: state, updatedAt: this.clock.now() },
        );
        // Cached schemas show the state.
        await this.access.bump(row.accountId);
      }
      return false;
    });
    if (dropped) {
      await this.drop(this.dataSource.manager, propertyId, names);
    }
  }

  private async invalid(manager: EntityManager, name: string): Promise<boolean> {
    const rows: { valid: boolean }[] = await manager.query(
      `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1`,
      [name],
    );
    return rows.length > 0 && !rows[0].valid;
  }
}
