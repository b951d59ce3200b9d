import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { DataSource, EntityManager } from 'typeorm';

const TRANSACTION_KEY = 'custos:transaction';

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
    const open = (): Promise<T> =>
      this.dataSource.transaction((manager) =>
        this.cls.run({ ifNested: 'inherit' }, () => {
          this.cls.set(TRANSACTION_KEY, manager);
          return work(manager);
        }),
      );
    if (this.isPostgres) {
      return open();
    }
    const result = this.sqliteQueue.then(open, open);
    this.sqliteQueue = result.catch(() => undefined);
    return result;
  }
}
