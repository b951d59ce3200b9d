import { createSecretKey, randomBytes } from 'node:crypto';
import { BlindIndexer, open, seal, type ValuePlace } from '@custos/crypto';

// Keys come from the key ring (per account, wrapped by the master key); here, fresh ones.
const dataKey = { version: 1, key: createSecretKey(randomBytes(32)) };
const indexer = new BlindIndexer(randomBytes(32));

/** Encrypts a national ID for one field of one record, and makes its search token. */
export function protect(nationalId: string, place: ValuePlace): { stored: string; token: string } {
  return {
    stored: seal(nationalId, dataKey, place),
    token: indexer.token(place.column, nationalId),
  };
}

/** Decrypts it again — only at the same place, with a known key version. */
export function reveal(stored: string, place: ValuePlace): string {
  return open(stored, (version) => (version === dataKey.version ? dataKey.key : undefined), place);
}
