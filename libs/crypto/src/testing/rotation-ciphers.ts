import { createSecretKey, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AccountCipher } from '../cipher/account-cipher';
import type { RotationBatchResult, RotationSource } from '../rotation/rotation-source';
import type { DataKey } from '../envelope/envelope';

/**
 * Two data keys of one account for rotation tests, and a cipher sealing with each (both open
 * either).
 */
export function rotationCiphers(accountId: string): {
  first: DataKey;
  second: DataKey;
  onFirst: AccountCipher;
  onSecond: AccountCipher;
} {
  const first: DataKey = { version: 1, key: createSecretKey(randomBytes(32)) };
  const second: DataKey = { version: 2, key: createSecretKey(randomBytes(32)) };
  const keys = new Map([
    [1, first.key],
    [2, second.key],
  ]);
  return {
    first,
    second,
    onFirst: new AccountCipher(accountId, first, keys, randomBytes(32)),
    onSecond: new AccountCipher(accountId, second, keys, randomBytes(32)),
  };
}

/** One batch of `source` towards key version 2, with `cipher`, in its own transaction. */
export function rotationBatch(
  dataSource: DataSource,
  source: RotationSource,
  batch: { accountId: string; cipher: AccountCipher; after: string | null; limit: number },
): Promise<RotationBatchResult> {
  return dataSource.transaction((manager) =>
    source.reencryptBatch({ manager, targetVersion: 2, ...batch }),
  );
}
