import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { Clock, TransactionHost, newId } from '@custos/core';
import type { DataKey } from '../envelope/envelope';
import { DataKeyRecord } from './data-key.entity';
import type { KeyProvider } from './key-provider';

function contextOf(accountId: string, purpose: 'data' | 'index', version: number): string {
  return `custos/${accountId}/${purpose}/${version}`;
}

/**
 * The keys of each account: created on first use (race-safe), stored wrapped, unwrapped once per
 * process and kept as `KeyObject`s. Rotation adds a version and makes it active; older versions
 * stay to open what they sealed.
 */
export class KeyRing {
  private readonly unwrapped = new Map<string, KeyObject>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly provider: KeyProvider,
    private readonly clock: Clock,
  ) {}

  /** The account's active data key, created with version 1 when the account has none. */
  async activeDataKey(accountId: string): Promise<DataKey> {
    let record = await this.transactions.manager.findOneBy(DataKeyRecord, {
      accountId,
      purpose: 'data',
      active: true,
    });
    if (!record) {
      await this.create(accountId, 'data', 1, true);
      record = await this.transactions.manager.findOneByOrFail(DataKeyRecord, {
        accountId,
        purpose: 'data',
        version: 1,
      });
    }
    return { version: record.version, key: await this.unwrap(record) };
  }

  /** Every data-key version of the account (to open values) and the active one (to seal), in one query. */
  async dataKeys(accountId: string): Promise<{ active: DataKey; keys: Map<number, KeyObject> }> {
    let records = await this.transactions.manager.findBy(DataKeyRecord, {
      accountId,
      purpose: 'data',
    });
    if (records.length === 0) {
      await this.create(accountId, 'data', 1, true);
      records = await this.transactions.manager.findBy(DataKeyRecord, {
        accountId,
        purpose: 'data',
      });
    }
    const keys = new Map<number, KeyObject>();
    for (const record of records) {
      keys.set(record.version, await this.unwrap(record));
    }
    // Should a reader ever see two active versions (or none), the newest active (or newest) wins.
    const candidates = records.some((r) => r.active) ? records.filter((r) => r.active) : records;
    const active = Math.max(...candidates.map((r) => r.version));
    return { active: { version: active, key: keys.get(active)! }, keys };
  }

  /** The data key of a version, for opening what it sealed; `undefined` if there is none. */
  async dataKey(accountId: string, version: number): Promise<KeyObject | undefined> {
    const cached = this.unwrapped.get(contextOf(accountId, 'data', version));
    if (cached) {
      return cached;
    }
    const record = await this.transactions.manager.findOneBy(DataKeyRecord, {
      accountId,
      purpose: 'data',
      version,
    });
    return record ? this.unwrap(record) : undefined;
  }

  /** The account's blind-index key (separate from its data keys). */
  async indexKey(accountId: string): Promise<Buffer> {
    let record = await this.transactions.manager.findOneBy(DataKeyRecord, {
      accountId,
      purpose: 'index',
      version: 1,
    });
    if (!record) {
      await this.create(accountId, 'index', 1, true);
      record = await this.transactions.manager.findOneByOrFail(DataKeyRecord, {
        accountId,
        purpose: 'index',
        version: 1,
      });
    }
    return (await this.unwrap(record)).export();
  }

  /** Adds a new data-key version and makes it the active one; returns its version. */
  async rotate(accountId: string): Promise<number> {
    return this.transactions.run(async (manager) => {
      const current = await manager.find(DataKeyRecord, {
        where: { accountId, purpose: 'data' },
        order: { version: 'DESC' },
        take: 1,
      });
      const version = (current[0]?.version ?? 0) + 1;
      await manager.update(DataKeyRecord, { accountId, purpose: 'data' }, { active: false });
      await this.create(accountId, 'data', version, true);
      return version;
    });
  }

  private async create(
    accountId: string,
    purpose: 'data' | 'index',
    version: number,
    active: boolean,
  ): Promise<void> {
    const wrapped = await this.provider.wrap(
      randomBytes(32),
      contextOf(accountId, purpose, version),
    );
    // Two first uses may race: the unique index keeps one, the other is ignored.
    await this.transactions.manager
      .createQueryBuilder()
      .insert()
      .into(DataKeyRecord)
      .values({
        id: newId(),
        accountId,
        purpose,
        version,
        wrappedKey: wrapped.toString('base64'),
        kekId: this.provider.keyId,
        active,
        createdAt: this.clock.now(),
      })
      .orIgnore()
      .execute();
  }

  private async unwrap(record: DataKeyRecord): Promise<KeyObject> {
    const context = contextOf(record.accountId, record.purpose, record.version);
    const cached = this.unwrapped.get(context);
    if (cached) {
      return cached;
    }
    const key = createSecretKey(
      await this.provider.unwrap(Buffer.from(record.wrappedKey, 'base64'), context),
    );
    this.unwrapped.set(context, key);
    return key;
  }
}
