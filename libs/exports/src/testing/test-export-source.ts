import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CustosError, RequestContext, TransactionHost, newId } from '@custos/core';
import type {
  ExportColumn,
  ExportPlan,
  ExportRow,
  ExportSource,
  ExportTarget,
} from '../export-source';

/** A host table for the tests of exports: one row per item, `secret` holding a sensitive value. */
@Entity('exports_test_item')
@Index('exports_test_item_account_idx', ['accountId', 'id'])
export class ExportTestItem {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'exports_test_item_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'integer' })
  amount!: number;

  @Column({ type: 'varchar', length: 200 })
  secret!: string;
}

const COLUMNS: Record<string, ExportColumn> = {
  id: { name: 'id', type: 'string', sensitive: false, recordId: true },
  name: { name: 'name', type: 'string', sensitive: false },
  amount: { name: 'amount', type: 'number', sensitive: false },
  secret: { name: 'secret', type: 'string', sensitive: true },
};

/** A property that exists but no one may read: asking for it is a 403 naming it. */
export const UNREADABLE_PROPERTY = 'hidden';

/**
 * A real `ExportSource` over {@link ExportTestItem}, scoped to the actor's account like a host's
 * source: selection `{ namePrefix? }`, properties `name`, `amount`, `secret` (sensitive). `pause`,
 * when set, is awaited before each batch after the first (to catch an export while it runs).
 */
export class TestExportSource implements ExportSource {
  readonly name = 'items';
  batchSize = 50;
  pause: (() => Promise<void>) | undefined;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  async plan(target: ExportTarget): Promise<ExportPlan> {
    if (target.properties.length === 0) {
      throw CustosError.invalidField(
        'test.invalid',
        'properties',
        'must name at least one property',
      );
    }
    target.properties.forEach((property, index) => {
      if (property === UNREADABLE_PROPERTY) {
        throw new CustosError('forbidden', 'test.unreadable', `You may not read ${property}.`, {
          errors: [{ field: `properties[${index}]`, message: 'is not readable' }],
        });
      }
      if (!COLUMNS[property]) {
        throw CustosError.invalidField('test.invalid', `properties[${index}]`, 'is not a property');
      }
    });
    for (const key of Object.keys(target.selection)) {
      if (key !== 'namePrefix') {
        throw CustosError.invalidField('test.invalid', `selection.${key}`, 'is not a selection');
      }
    }
    const columns = target.properties.map((p) => COLUMNS[p]);
    return {
      columns,
      count: await this.query(target).getCount(),
      sensitive: columns.some((c) => c.sensitive),
      description: { items: target.selection.namePrefix === undefined ? 'all' : 'by name prefix' },
    };
  }

  async *rows(target: ExportTarget, signal: AbortSignal): AsyncIterable<ExportRow[]> {
    let after = '';
    for (let batch = 0; !signal.aborted; batch += 1) {
      if (batch > 0 && this.pause) {
        await this.pause();
      }
      const items = await this.query(target)
        .andWhere('i.id > :after', { after })
        .orderBy('i.id', 'ASC')
        .limit(this.batchSize)
        .getMany();
      if (items.length === 0) {
        return;
      }
      yield items.map((item) =>
        target.properties.map((p) => item[p as 'id' | 'name' | 'amount' | 'secret']),
      );
      after = items[items.length - 1].id;
    }
  }

  private query(target: ExportTarget) {
    const builder = this.transactions.manager
      .createQueryBuilder(ExportTestItem, 'i')
      .where('i.accountId = :accountId', { accountId: this.context.requireAccountId() });
    const prefix = target.selection.namePrefix;
    if (typeof prefix === 'string') {
      builder.andWhere('i.name LIKE :prefix', { prefix: `${prefix}%` });
    }
    return builder;
  }
}

/** Adds `count` items to an account; `secret` is the sensitive value of each (a canary in tests). */
export async function addTestItems(
  transactions: TransactionHost,
  accountId: string,
  count: number,
  secret = 'not a canary',
): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    accountId,
    name: `item ${String(i).padStart(6, '0')}`,
    amount: i - 5,
    secret,
  }));
  for (let start = 0; start < items.length; start += 200) {
    await transactions.manager.insert(ExportTestItem, items.slice(start, start + 200));
  }
}
