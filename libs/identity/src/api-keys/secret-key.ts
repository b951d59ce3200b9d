import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { AuditService } from '@custos/audit';
import { keysetPage, type Page, type PageQueryDto } from '@custos/core';
import { Membership } from '../users/membership.entity';

/**
 * How Custos makes, checks, lists and revokes its high-entropy bearer secrets (API keys, SCIM
 * provisioning tokens): `<prefix><id without dashes>_<32 random bytes, base64url>`. Only the SHA-256 of the
 * random part is stored; the id in clear lets the lookup be one primary-key read.
 */
export interface IssuedSecretKey {
  /** The whole key, shown once. */
  key: string;
  /** Hex SHA-256 of the secret part, to store. */
  secretHash: string;
  /** The first 11 characters of the key, to tell keys apart in lists. */
  hint: string;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function issueSecretKey(prefix: string, id: string): IssuedSecretKey {
  const secret = randomBytes(32).toString('base64url');
  const key = `${prefix}${id.replace(/-/g, '')}_${secret}`;
  return { key, secretHash: sha256(secret).toString('hex'), hint: key.slice(0, 11) };
}

/** The id and secret of a presented key of this prefix, or `null` when it has not its shape. */
function parseSecretKey(prefix: string, presented: string): { id: string; secret: string } | null {
  if (!presented.startsWith(prefix)) {
    return null;
  }
  const match = /^([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/.exec(presented.slice(prefix.length));
  if (!match) {
    return null;
  }
  const hex = match[1];
  return {
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    secret: match[2],
  };
}

/**
 * Whether `secret` hashes to `storedHash`, in constant time; compared against a dummy when the
 * key is unknown so that timing does not tell unknown ids from wrong secrets.
 */
function secretMatches(storedHash: string | undefined, secret: string): boolean {
  const expected = storedHash ? Buffer.from(storedHash, 'hex') : Buffer.alloc(32);
  return timingSafeEqual(expected, sha256(secret)) && storedHash !== undefined;
}

/** What an account's secret keys of either kind have in common. */
interface AccountKey {
  id: string;
  accountId: string;
  name: string;
  secretHash: string;
  createdByUserId: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Recording every use would turn each read into a write; once a minute is enough to spot stale keys. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The stored key a presented one is, with whether its creator is still an active super admin of
 * its account; `null` when the presented key is malformed, unknown, wrong or revoked, or fails
 * `usable` (e.g. expired). Notes the use (at most once a minute).
 */
export async function presentedKey<K extends AccountKey>(
  manager: EntityManager,
  entity: EntityTarget<K>,
  prefix: string,
  presented: string,
  now: Date,
  usable: (key: K) => boolean = () => true,
): Promise<{ key: K; creatorIsSuperAdmin: boolean } | null> {
  const parsed = parseSecretKey(prefix, presented);
  if (!parsed) {
    return null;
  }
  const key = await manager.findOneBy(entity, { id: parsed.id } as FindOptionsWhere<K>);
  const matches = secretMatches(key?.secretHash, parsed.secret);
  if (!key || !matches || key.revokedAt || !usable(key)) {
    return null;
  }
  const creator = await manager.findOneBy(Membership, {
    accountId: key.accountId,
    userId: key.createdByUserId,
  });
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    const change = { lastUsedAt: now } as unknown as QueryDeepPartialEntity<K>;
    await manager.update(entity, { id: key.id }, change);
  }
  return { key, creatorIsSuperAdmin: creator?.status === 'active' && creator.superAdmin };
}

/** One page of an account's keys of `entity`, in id order. */
export async function keysOfAccount<K extends AccountKey>(
  manager: EntityManager,
  entity: EntityTarget<K>,
  accountId: string,
  query: PageQueryDto,
): Promise<Page<K>> {
  const builder = manager
    .createQueryBuilder(entity, 'k')
    .where('k.accountId = :accountId', { accountId });
  return keysetPage(builder, 'k.id', (k) => k.id, query);
}

/**
 * Revokes the account's key `id` of `entity` (`null` when it has none), recording
 * `<targetType>.revoked` the first time only: revoking twice is harmless. Run in a transaction.
 */
export async function revokeKey<K extends AccountKey>(
  manager: EntityManager,
  audit: AuditService,
  entity: EntityTarget<K>,
  where: { accountId: string; id: string },
  revokedAt: Date,
  targetType: 'api_key' | 'scim_token',
): Promise<K | null> {
  const key = await manager.findOneBy(entity, where as FindOptionsWhere<K>);
  if (key && !key.revokedAt) {
    key.revokedAt = revokedAt;
    // A partial of a generic entity: TypeORM cannot see that `revokedAt` is one of K's columns.
    const change = { revokedAt } as unknown as QueryDeepPartialEntity<K>;
    await manager.update(entity, { id: where.id }, change);
    await audit.record({
      action: `${targetType}.revoked`,
      targetType,
      targetId: where.id,
      metadata: { before: { name: key.name } },
    });
  }
  return key;
}
