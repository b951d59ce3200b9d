import { createHmac, hkdfSync } from 'node:crypto';

/** Bits of HMAC-SHA256 kept: 64 — few false positives per million values, which equality lookups then drop by decrypting. */
export const BLIND_INDEX_BITS = 64;

/** How a value is normalised before indexing: NFKC, trimmed, and case-folded unless the type is case-sensitive. */
export function normalizeForIndex(value: string, caseSensitive = false): string {
  const normalized = value.normalize('NFKC').trim();
  return caseSensitive ? normalized : normalized.toLowerCase();
}

/**
 * Equality search on encrypted values without storing them in clear: HMAC-SHA256 of the normalised
 * value under a key derived per field from the account's index key (a key separate from the data
 * keys), truncated to {@link BLIND_INDEX_BITS} bits, hex. Equal values of one field give equal tokens;
 * tokens of other fields or accounts are unrelated.
 */
export class BlindIndexer {
  private readonly fieldKeys = new Map<string, Buffer>();

  constructor(private readonly indexKey: Buffer) {}

  token(field: string, value: string, caseSensitive = false): string {
    return createHmac('sha256', this.fieldKey(field))
      .update(normalizeForIndex(value, caseSensitive), 'utf8')
      .digest()
      .subarray(0, BLIND_INDEX_BITS / 8)
      .toString('hex');
  }

  private fieldKey(field: string): Buffer {
    let key = this.fieldKeys.get(field);
    if (!key) {
      key = Buffer.from(
        hkdfSync('sha256', this.indexKey, Buffer.alloc(0), `custos/blind-index/${field}`, 32),
      );
      this.fieldKeys.set(field, key);
    }
    return key;
  }
}
