import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeepPartial, EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { AuditService } from '@custos/audit';
import {
  CustosError,
  isSuperAdminInPerson,
  keysetPage,
  newId,
  type Actor,
  type Clock,
  type Page,
  type PageQueryDto,
  type RequestContext,
  type TransactionHost,
} from '@custos/core';
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

function issueSecretKey(prefix: string, id: string): IssuedSecretKey {
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
  secretHint: string;
  createdByUserId: string;
  createdAt: Date;
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
async function presentedKey<K extends AccountKey>(
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

/** The columns of a key that are its kind's own (scopes, expiry…). */
export type OwnColumns<K extends AccountKey> = Omit<K, keyof AccountKey>;

/** One kind of account key: its table, prefix, audit target type and answers. */
export interface AccountKeyKind<K extends AccountKey> {
  entity: EntityTarget<K>;
  prefix: string;
  targetType: 'api_key' | 'scim_token';
  /** Told (403) to whoever is not a super admin in person. */
  issuerRequired: string;
  notFound: () => Error;
}

/**
 * The life of one kind of account key — who may issue it, issuing (shown once, audited
 * `<type>.created`), listing, revoking (audited `<type>.revoked`, once) and recognising a
 * presented one — for the services of API keys and SCIM provisioning tokens, which add what is
 * their own (scopes and expiry; the actor a key stands for).
 */
export class AccountKeys<K extends AccountKey> {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly kind: AccountKeyKind<K>,
  ) {}

  /** The acting super admin, in person: the only one who may issue a key (403 for others). */
  issuer(): Actor {
    const actor = this.context.requireActor();
    if (!isSuperAdminInPerson(actor)) {
      throw new CustosError('forbidden', 'identity.super_admin_required', this.kind.issuerRequired);
    }
    return actor;
  }

  /** Stores a new key of `issuer` named `name`, audited with `after` of it; the key is in `secret` only. */
  async issue(
    issuer: Actor,
    name: string,
    own: OwnColumns<K>,
    after: (stored: K) => Record<string, unknown>,
  ): Promise<{ stored: K; secret: string }> {
    const id = newId();
    const { key, secretHash, hint } = issueSecretKey(this.kind.prefix, id);
    return this.transactions.run(async (manager) => {
      const stored = manager.create(this.kind.entity, {
        ...own,
        id,
        accountId: issuer.accountId,
        name,
        secretHash,
        secretHint: hint,
        createdByUserId: issuer.userId,
        createdAt: this.clock.now(),
        lastUsedAt: null,
        revokedAt: null,
      } as DeepPartial<K>);
      await manager.insert(this.kind.entity, stored as QueryDeepPartialEntity<K>);
      await this.audit.record({
        action: `${this.kind.targetType}.created`,
        targetType: this.kind.targetType,
        targetId: id,
        metadata: { after: after(stored) },
      });
      return { stored, secret: key };
    });
  }

  /** One page of the account's keys, in id order. */
  list(query: PageQueryDto): Promise<Page<K>> {
    const builder = this.transactions.manager
      .createQueryBuilder(this.kind.entity, 'k')
      .where('k.accountId = :accountId', { accountId: this.context.requireAccountId() });
    return keysetPage(builder, 'k.id', (k) => k.id, query);
  }

  /** Revokes the account's key `id`, audited the first time only: revoking twice is harmless. */
  revoke(id: string): Promise<K> {
    const where = { accountId: this.context.requireAccountId(), id };
    return this.transactions.run(async (manager) => {
      const key = await manager.findOneBy(this.kind.entity, where as FindOptionsWhere<K>);
      if (!key) {
        throw this.kind.notFound();
      }
      if (!key.revokedAt) {
        const revokedAt = this.clock.now();
        key.revokedAt = revokedAt;
        // A partial of a generic entity: TypeORM cannot see that `revokedAt` is one of K's columns.
        const change = { revokedAt } as unknown as QueryDeepPartialEntity<K>;
        await manager.update(this.kind.entity, { id }, change);
        await this.audit.record({
          action: `${this.kind.targetType}.revoked`,
          targetType: this.kind.targetType,
          targetId: id,
          metadata: { before: { name: key.name } },
        });
      }
      return key;
    });
  }

  /** The stored key a presented one is (see `presentedKey`), noting its use. */
  presented(
    presented: string,
    usable?: (key: K) => boolean,
  ): Promise<{ key: K; creatorIsSuperAdmin: boolean } | null> {
    return presentedKey(
      this.transactions.manager,
      this.kind.entity,
      this.kind.prefix,
      presented,
      this.clock.now(),
      usable,
    );
  }
}
