import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock, TransactionHost, newId } from '@custos/core';
import type { DataKey } from '../envelope/envelope';
import { DataKeyRecord } from './data-key.entity';
import type { KeyProvider } from './key-provider';
import { contextOf } from './key-context';
import { rewrapDataKeys } from './master-key-rotation';

/**
 * The keys of each account: created on first use (race-safe), stored wrapped, unwrapped once per
 * process and kept as `KeyObject`s. Rotation adds a version and makes it active; older versions
 * stay to open what they sealed.
 *
 * Every method reads through `manager` when given (e.g. a TypeORM subscriber's, so that a key
 * created in a transaction is seen by that transaction), else the current transaction's.
 */
export class KeyRing {
  /**
   * Unwrapped keys by row id, not by account and version: a key created in a transaction that
   * rolled back is never mistaken for the row that later takes its version.
   */
  private readonly unwrapped = new Map<string, KeyObject>();

  constructor(
    private readonly transactions: TransactionHost,
    private provider: KeyProvider,
    private readonly clock: Clock,
  ) {}

  /** The account's active data key, created with version 1 when the account has none. */
  async activeDataKey(accountId: string, manager?: EntityManager): Promise<DataKey> {
    const db = manager ?? this.transactions.manager;
    let records = await db.findBy(DataKeyRecord, { accountId, purpose: 'data', active: true });
    if (records.length === 0) {
      // No active row: either no key yet, or (should a rotation ever be cut short) none marked.
      records = await db.findBy(DataKeyRecord, { accountId, purpose: 'data' });
    }
    if (records.length === 0) {
      await this.create(db, accountId, 'data', 1, true);
      records = await db.findBy(DataKeyRecord, { accountId, purpose: 'data', version: 1 });
    }
    const record = records.reduce((a, b) => (b.version > a.version ? b : a));
    return { version: record.version, key: await this.unwrap(record) };
  }

  /**
   * Every data-key version of the account (to open values), the active one (to seal) and the
   * blind-index key, in one query (keys missing on first use are created).
   */
  async accountKeys(
    accountId: string,
    manager?: EntityManager,
  ): Promise<{ active: DataKey; keys: Map<number, KeyObject>; indexKey: Buffer }> {
    const db = manager ?? this.transactions.manager;
    let all = await db.findBy(DataKeyRecord, { accountId });
    if (!all.some((r) => r.purpose === 'data') || !all.some((r) => r.purpose === 'index')) {
      await this.create(db, accountId, 'data', 1, true);
      await this.create(db, accountId, 'index', 1, true);
      all = await db.findBy(DataKeyRecord, { accountId });
    }
    const { active, keys } = await this.activeAmong(all.filter((r) => r.purpose === 'data'));
    const index = all.find((r) => r.purpose === 'index' && r.version === 1)!;
    return { active, keys, indexKey: (await this.unwrap(index)).export() };
  }

  private async activeAmong(
    records: DataKeyRecord[],
  ): Promise<{ active: DataKey; keys: Map<number, KeyObject> }> {
    const keys = await this.unwrapAll(records);
    // Should a reader ever see two active versions (or none), the newest active (or newest) wins.
    const candidates = records.some((r) => r.active) ? records.filter((r) => r.active) : records;
    const active = Math.max(...candidates.map((r) => r.version));
    return { active: { version: active, key: keys.get(active)! }, keys };
  }

  /** The data keys the account has, by version, without creating any (for opening values). */
  async existingDataKeys(
    accountId: string,
    manager?: EntityManager,
  ): Promise<Map<number, KeyObject>> {
    const db = manager ?? this.transactions.manager;
    return this.unwrapAll(await db.findBy(DataKeyRecord, { accountId, purpose: 'data' }));
  }

  /** The data key of a version, for opening what it sealed; `undefined` if there is none. */
  async dataKey(
    accountId: string,
    version: number,
    manager?: EntityManager,
  ): Promise<KeyObject | undefined> {
    const record = await (manager ?? this.transactions.manager).findOneBy(DataKeyRecord, {
      accountId,
      purpose: 'data',
      version,
    });
    return record ? this.unwrap(record) : undefined;
  }

  /** The account's blind-index key (separate from its data keys). */
  async indexKey(accountId: string, manager?: EntityManager): Promise<Buffer> {
    const db = manager ?? this.transactions.manager;
    const where = { accountId, purpose: 'index' as const, version: 1 };
    let record = await db.findOneBy(DataKeyRecord, where);
    if (!record) {
      await this.create(db, accountId, 'index', 1, true);
      record = await db.findOneByOrFail(DataKeyRecord, where);
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
      await this.create(manager, accountId, 'data', version, true);
      return version;
    });
  }

  /**
   * Start check: one stored key per key-encryption-key id must unwrap with the configured provider.
   * Throws the provider's error (for `LocalKeyProvider`: the master key is missing or wrong).
   */
  async verifyProvider(): Promise<void> {
    const rows = await this.transactions.manager
      .createQueryBuilder(DataKeyRecord, 'k')
      .select('k.kek_id', 'kekId')
      .addSelect('MIN(k.id)', 'id')
      .groupBy('k.kek_id')
      .getRawMany<{ kekId: string; id: string }>();
    for (const row of rows) {
      const record = await this.transactions.manager.findOneByOrFail(DataKeyRecord, {
        id: row.id,
      });
      await this.provider.unwrap(
        Buffer.from(record.wrappedKey, 'base64'),
        contextOf(record.accountId, record.purpose, record.version),
      );
    }
  }

  /**
   * Master-key rotation: re-wraps every stored key under `newProvider` in one transaction (values
   * are not touched), then wraps new keys with it. Run it with no other process writing keys;
   * every process must then be restarted with the new key. Returns the number of keys re-wrapped.
   */
  async rewrapAll(newProvider: KeyProvider): Promise<number> {
    const count = await this.transactions.run((manager) =>
      rewrapDataKeys(manager, this.provider, newProvider),
    );
    this.provider = newProvider;
    return count;
  }

  private async create(
    manager: EntityManager,
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
    await manager
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

  private async unwrapAll(records: DataKeyRecord[]): Promise<Map<number, KeyObject>> {
    const keys = new Map<number, KeyObject>();
    for (const record of records) {
      keys.set(record.version, await this.unwrap(record));
    }
    return keys;
  }

  private async unwrap(record: DataKeyRecord): Promise<KeyObject> {
    const cached = this.unwrapped.get(record.id);
    if (cached) {
      return cached;
    }
    const key = createSecretKey(
      await this.provider.unwrap(
        Buffer.from(record.wrappedKey, 'base64'),
        contextOf(record.accountId, record.purpose, record.version),
      ),
    );
    this.unwrapped.set(record.id, key);
    return key;
  }
}
