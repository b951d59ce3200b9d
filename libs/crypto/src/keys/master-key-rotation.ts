import type { EntityManager } from 'typeorm';
import { DataKeyRecord } from './data-key.entity';
import { contextOf } from './key-context';
import type { KeyProvider } from './key-provider';

/**
 * Re-wraps every stored data and index key from `from` to `to` with `manager` (call it inside a
 * transaction: all rows move or none). The keys themselves, and so every sealed value, stay the
 * same. Concurrent key creation is blocked for the duration (table lock on PostgreSQL, the write
 * lock on SQLite). Returns the number of keys re-wrapped.
 */
export async function rewrapDataKeys(
  manager: EntityManager,
  from: KeyProvider,
  to: KeyProvider,
): Promise<number> {
  if (manager.connection.options.type === 'postgres') {
    await manager.query('LOCK TABLE crypto_data_key IN EXCLUSIVE MODE');
  } else {
    // Takes SQLite's write lock before reading, so no key created meanwhile is left behind.
    await manager.query('UPDATE crypto_data_key SET kek_id = kek_id WHERE 1 = 0');
  }
  const records = await manager.find(DataKeyRecord, { order: { id: 'ASC' } });
  for (const record of records) {
    const context = contextOf(record.accountId, record.purpose, record.version);
    const key = await from.unwrap(Buffer.from(record.wrappedKey, 'base64'), context);
    const wrapped = await to.wrap(key, context);
    key.fill(0);
    await manager.update(
      DataKeyRecord,
      { id: record.id },
      { wrappedKey: wrapped.toString('base64'), kekId: to.keyId },
    );
  }
  return records.length;
}
