import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

const TRANSACTION_KEY = 'custos:transaction';
const AFTER_COMMIT_KEY = 'custos:after-commit';

/** What `pg`'s client and pool offer for a named (prepared) statement. */
interface PgClient {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
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
  /** Statement name → its SQL: PostgreSQL would refuse a second text under the same name. */
  private readonly preparedStatements = new Map<string, string>();
  /** SQLite's text of each prepared statement, and which parameter each `?` takes: rewritten once. */
  private readonly sqliteStatements = new Map<string, { text: string; order: number[] }>();

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
    const manager = this.manager;
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
      return manager.query<T[]>(
        statement.text,
        statement.order.map((i) => parameters[i]),
      );
    }
    const runner = manager.queryRunner;
    // Outside a transaction straight on the pool (it takes and returns a connection itself):
    // TypeORM's query runner around one statement costs more than the statement's own work.
    const client = runner
      ? ((await runner.connect()) as PgClient)
      : (this.dataSource.driver as unknown as { master: PgClient }).master;
    this.dataSource.logger.logQuery(sql, [...parameters], runner);
    const result = await client
      .query({ name, text: sql, values: [...parameters] })
      .catch((error: Error) => {
        // As TypeORM reports driver errors, so that `isUniqueViolation` & co. recognise them.
        throw new QueryFailedError(sql, [...parameters], error);
      });
    return result.rows as T[];
  }
}
