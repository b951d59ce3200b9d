import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { selectAccountRows } from '../kernel';
import type { SensitiveFields } from './sensitive-fields';

/** Record ids per query: well under the bind-parameter limits of both databases. */
const ID_BATCH_SIZE = 500;

/** Digests of sealed values by property name; `null` where the write cleared the value. */
export type SealedDigests = Record<string, string | null>;

/**
 * The digest of a sensitive value as stored: SHA-256 of its JSON text, first 128 bits in hex.
 * A plain hash suffices: an envelope carries a fresh random nonce and a ciphertext that looks
 * random, so its digest cannot confirm a guessed value (a digest of the value itself would need a
 * key); and no key is needed to check it, so verification survives key rotation.
 */
export function sealedDigest(stored: unknown): string {
  return createHash('sha256').update(JSON.stringify(stored), 'utf8').digest('hex').slice(0, 32);
}

/**
 * The digests of the sensitive values among `written` (record id → property names just written),
 * read back from the rows in this transaction: the sealed form the database now holds is what a
 * later verification compares with.
 */
export async function writtenDigests(
  manager: EntityManager,
  sensitive: SensitiveFields | null,
  accountId: string,
  written: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, SealedDigests>> {
  const digests = new Map<string, SealedDigests>();
  const names = new Map(
    [...written]
      .map(([id, all]) => [id, all.filter((name) => sensitive?.has(name))] as const)
      .filter(([, sealed]) => sealed.length > 0),
  );
  if (!sensitive || names.size === 0) {
    return digests;
  }
  const ids = [...names.keys()];
  for (let start = 0; start < ids.length; start += ID_BATCH_SIZE) {
    const rows = await selectAccountRows(manager, sensitive.schema.objectType.table, accountId)
      .select('r.id', 'id')
      .addSelect('r.custom', 'custom')
      .andWhere('r.id IN (:...ids)', { ids: ids.slice(start, start + ID_BATCH_SIZE) })
      .getRawMany<{ id: string; custom: string }>();
    for (const row of rows) {
      const custom = JSON.parse(row.custom) as Record<string, unknown>;
      digests.set(
        row.id,
        Object.fromEntries(
          [...names.get(row.id)!]
            .sort()
            .map((name) => [name, name in custom ? sealedDigest(custom[name]) : null]),
        ),
      );
    }
  }
  return digests;
}
