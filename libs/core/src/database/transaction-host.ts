import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { PgStatement, type PgLibrary, type PgQuery } from './pg-statement';

const TRANSACTION_KEY = 'custos:transaction';
const AFTER_COMMIT_KEY = 'custos:after-commit';

/** What `pg`'s client and pool offer for a query object of ours: its rows, through the callback. */
interface PgClient {
  query(
    query: PgQuery,
    values: undefined,
    callback: (error: Error | null, rows?: Record<string, unknown>[]) => void,
  ): void;
}

/**
 * The current transaction of this request, kept in the request context so that every write
 * made while serving it — the change and its audit events alike — joins the same transaction.
 *
 * SQLite has one connection, so transactions are queued here one at a time; PostgreSQL runs
 * them concurrently and services take row locks where an invariant needs them.
 */
@Injectable()
export class TransactionHost {
  private sqliteQueue: Promise<unknown> = Promise.resolve();
  /** Statement name → its SQL (PostgreSQL would refuse a second text under the same name). */
  private readonly preparedStatements = new Map<string, string>();
  /** PostgreSQL's statements of {@link queryPrepared} by name, with their columns once known. */
  private readonly pgStatements = new Map<string, PgStatement>();
  /** SQLite's text of each prepared statement, and which parameter each `?` takes: rewritten once. */
  private readonly sqliteStatements = new Map<string, { text: string; order: number[] }>();
  /** {@link queryNamed}'s texts by shape. */
  private readonly namedStatements = new Map<string, NamedStatement>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly cls: ClsService,
  ) {}

  /** The manager of the current transaction, or the data source's when none is open. */
  get manager(): EntityManager {
    return (
      (this.cls.isActive() ? this.cls.get<EntityManager>(TRANSACTION_KEY) : undefined) ??
      this.dataSource.manager
    );
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** Whether a transaction is open in the current context. */
  get inTransaction(): boolean {
    return this.cls.isActive() && this.cls.get<EntityManager>(TRANSACTION_KEY) !== undefined;
  }

  /**
   * Runs `work` in a transaction, joining the current one if open. A thrown error rolls back
   * everything `work` wrote, including audit events.
   */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.cls.isActive() ? this.cls.get<EntityManager>(TRANSACTION_KEY) : undefined;
    if (current) {
      return work(current);
    }
    const open = async (): Promise<T> => {
      const afterCommit: (() => void)[] = [];
      const result = await this.dataSource.transaction((manager) =>
        this.cls.run({ ifNested: 'inherit' }, () => {
          this.cls.set(TRANSACTION_KEY, manager);
          this.cls.set(AFTER_COMMIT_KEY, afterCommit);
          return work(manager);
        }),
      );
      afterCommit.forEach((callback) => callback());
      return result;
    };
    if (this.isPostgres) {
      return open();
    }
    const result = this.sqliteQueue.then(open, open);
    this.sqliteQueue = result.catch(() => undefined);
    return result;
  }

  /**
   * Calls `callback` once the current transaction has committed (never when it rolls back), or
   * at once when none is open: to start work on what the transaction wrote (deliver the mail it
   * put in the outbox). The callback must not throw; it runs outside the transaction.
   */
  afterCommit(callback: () => void): void {
    const pending = this.inTransaction
      ? this.cls.get<(() => void)[] | undefined>(AFTER_COMMIT_KEY)
      : undefined;
    if (pending) {
      pending.push(callback);
    } else {
      callback();
    }
  }

  /**
   * Runs independent queries at once on the pool, or one after another inside a transaction: a
   * transaction has one connection, and overlapping queries on one `pg` client are deprecated
   * (refused from pg 9). SQLite runs them one at a time either way.
   */
  async all<T extends unknown[]>(...works: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
    if (!this.inTransaction) {
      return (await Promise.all(works.map((work) => work()))) as T;
    }
    const results: unknown[] = [];
    for (const work of works) {
      results.push(await work());
    }
    return results as T;
  }

  /**
   * Runs a read of the hot path as a prepared statement: on PostgreSQL a named statement, parsed
   * and planned once per connection; on SQLite TypeORM's statement cache does the same. `sql`
   * uses PostgreSQL's `$1`, `$2`… placeholders (rewritten for SQLite; so no `$` in literals).
   * Joins the current transaction, if any. Rows come back as the driver returns them.
   */
  async queryPrepared<T extends object>(
    name: string,
    sql: string,
    parameters: readonly unknown[],
  ): Promise<T[]> {
    const known = this.preparedStatements.get(name);
    if (known !== undefined && known !== sql) {
      throw new Error(`Prepared statement "${name}" is already used for another query.`);
    }
    this.preparedStatements.set(name, sql);
    if (!this.isPostgres) {
      let statement = this.sqliteStatements.get(name);
      if (!statement) {
        const order: number[] = [];
        const text = sql.replace(/\$(\d+)/g, (_match, index: string) => {
          order.push(Number(index) - 1);
          return '?';
        });
        statement = { text, order };
        this.sqliteStatements.set(name, statement);
      }
      return this.manager.query<T[]>(
        statement.text,
        statement.order.map((i) => parameters[i]),
      );
    }
    let statement = this.pgStatements.get(name);
    if (!statement) {
      statement = new PgStatement(sql, name, this.pgLibrary);
      this.pgStatements.set(name, statement);
    }
    return this.queryPostgres<T>(statement, [...parameters]);
  }

  /**
   * Runs a read whose text is assembled from fragments with TypeORM's named parameters
   * (`:name`, `:...list` spread) without a query builder: the text of each shape (the template
   * and the length of each spread list) is turned into positional placeholders once and kept.
   * SQLite reuses the prepared statement of that text (TypeORM's statement cache); PostgreSQL
   * runs it unnamed, planned with its parameters, as a query builder's would be (partial indexes
   * whose predicate names a bound value are only matched so). Parameters are bound as they are,
   * numbers too; booleans become 0/1 on SQLite as TypeORM binds them.
   *
   * `prepare`: on PostgreSQL a named statement instead (parsed and described once per connection,
   * then planned as PostgreSQL's plan cache decides), for a hot read whose plan does not hinge on
   * its values — a lookup by primary key — and whose shapes are few: each stays prepared on every
   * connection that ran it. Named after a hash of its text, so a shape dropped from the bounded
   * memory and compiled again reuses the connection's statement.
   */
  async queryNamed<T extends object>(
    template: string,
    parameters: Readonly<Record<string, unknown>>,
    { prepare = false }: { prepare?: boolean } = {},
  ): Promise<T[]> {
    const statement = this.namedStatement(template, parameters);
    const values = statement.order.map(([name, item]) =>
      item === undefined ? parameters[name] : (parameters[name] as unknown[])[item],
    );
    if (!this.isPostgres) {
      return this.manager.query<T[]>(statement.text, values);
    }
    if (prepare) {
      statement.prepared ??= new PgStatement(
        statement.text,
        `custos_${createHash('sha1').update(statement.text).digest('hex').slice(0, 32)}`,
        this.pgLibrary,
      );
      return this.queryPostgres<T>(statement.prepared, values);
    }
    statement.pg ??= new PgStatement(statement.text, undefined, this.pgLibrary);
    return this.queryPostgres<T>(statement.pg, values);
  }

  private namedStatement(
    template: string,
    parameters: Readonly<Record<string, unknown>>,
  ): NamedStatement {
    let key = template;
    for (const name in parameters) {
      const value = parameters[name];
      if (Array.isArray(value)) {
        key += `\u0000${name}:${value.length}`;
      }
    }
    let statement = this.namedStatements.get(key);
    if (!statement) {
      statement = compileNamed(template, parameters, this.isPostgres);
      if (this.namedStatements.size >= NAMED_STATEMENTS_KEPT) {
        // Shapes vary with rules and filters; a bounded memory, refilled by the shapes in use.
        this.namedStatements.clear();
      }
      this.namedStatements.set(key, statement);
    }
    return statement;
  }

  /** The `pg` module TypeORM loaded (its parameter conversion and type parsers). */
  private get pgLibrary(): PgLibrary {
    return (this.dataSource.driver as unknown as { postgres: PgLibrary }).postgres;
  }

  private async queryPostgres<T extends object>(
    statement: PgStatement,
    values: unknown[],
  ): Promise<T[]> {
    const runner = this.manager.queryRunner;
    // Outside a transaction straight on the pool (it takes and returns a connection itself):
    // TypeORM's query runner around one statement costs more than the statement's own work.
    const client = runner
      ? ((await runner.connect()) as PgClient)
      : (this.dataSource.driver as unknown as { master: PgClient }).master;
    this.dataSource.logger.logQuery(statement.text, values, runner);
    return new Promise<T[]>((resolve, reject) => {
      client.query(statement.query(values), undefined, (error, rows) => {
        if (error) {
          // As TypeORM reports driver errors, so that `isUniqueViolation` & co. recognise them.
          reject(new QueryFailedError(statement.text, values, error));
        } else {
          resolve(rows as T[]);
        }
      });
    });
  }
}

/** A template's text with positional placeholders, and the parameter (and list item) of each. */
interface NamedStatement {
  text: string;
  order: [name: string, item?: number][];
  /** PostgreSQL's statement of the text, with its columns once known. */
  pg?: PgStatement;
  /** The same, named (`queryNamed`'s `prepare`). */
  prepared?: PgStatement;
}

/** How many shapes of {@link TransactionHost.queryNamed} are kept. */
const NAMED_STATEMENTS_KEPT = 500;

/**
 * TypeORM's placeholder syntax, as its drivers read it: `:name` only when `name` is a parameter
 * (so `::jsonb` casts stay), `:...name` spread into one placeholder per item; a name used twice
 * is one PostgreSQL placeholder.
 */
function compileNamed(
  template: string,
  parameters: Readonly<Record<string, unknown>>,
  postgres: boolean,
): NamedStatement {
  const order: NamedStatement['order'] = [];
  const placed = new Map<string, string>();
  const next = (name: string, item?: number): string => {
    order.push(item === undefined ? [name] : [name, item]);
    return postgres ? `$${order.length}` : '?';
  };
  const text = template.replace(
    /:(\.\.\.)?([A-Za-z0-9_]+)/g,
    (full, spread: string | undefined, name: string) => {
      if (!Object.hasOwn(parameters, name)) {
        return full;
      }
      if (spread) {
        return (parameters[name] as unknown[]).map((_value, item) => next(name, item)).join(', ');
      }
      let placeholder = postgres ? placed.get(name) : undefined;
      if (placeholder === undefined) {
        placeholder = next(name);
        placed.set(name, placeholder);
      }
      return placeholder;
    },
  );
  return { text, order };
}
