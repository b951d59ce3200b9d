import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  keysetPage,
  mapPage,
  newId,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  type Actor,
  type Page,
  isSuperAdminInPerson,
} from '@custos/core';
import { IdentityErrors } from '../identity.errors';
import { Membership } from '../users/membership.entity';
import { ApiKey } from './api-key.entity';
import type { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';

const KEY_PREFIX = 'ck_';
const KEY_PATTERN = /^ck_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
/** Recording every use would turn each read into a write; once a minute is enough to spot stale keys. */
const LAST_USED_RESOLUTION_MS = 60_000;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Private apps: API keys made by super admins, limited to scopes, stored only as hashes. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const actor = this.context.requireActor();
    if (!isSuperAdminInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'identity.super_admin_required',
        'Only super admins can create API keys.',
      );
    }
    const now = this.clock.now();
    if (input.expiresAt && input.expiresAt <= now) {
      throw IdentityErrors.expiryInPast();
    }
    const id = newId();
    const secret = randomBytes(32).toString('base64url');
    const key = `${KEY_PREFIX}${id.replace(/-/g, '')}_${secret}`;
    return this.transactions.run(async (manager) => {
      const apiKey = manager.create(ApiKey, {
        id,
        accountId: actor.accountId,
        name: input.name,
        secretHash: sha256(secret).toString('hex'),
        secretHint: key.slice(0, 11),
        scopes: input.scopes,
        createdByUserId: actor.userId,
        createdAt: now,
        expiresAt: input.expiresAt ?? null,
        lastUsedAt: null,
        revokedAt: null,
      });
      await manager.insert(ApiKey, apiKey);
      await this.audit.record({
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: id,
        metadata: {
          after: {
            name: apiKey.name,
            scopes: apiKey.scopes,
            expiresAt: apiKey.expiresAt?.toISOString() ?? null,
          },
        },
      });
      return { ...toApiKeyDto(apiKey), key };
    });
  }

  async list(query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    const accountId = this.context.requireAccountId();
    const builder = this.transactions.manager
      .createQueryBuilder(ApiKey, 'k')
      .where('k.accountId = :accountId', { accountId });
    return mapPage(await keysetPage(builder, 'k.id', (k) => k.id, query), toApiKeyDto);
  }

  async revoke(id: string): Promise<ApiKeyDto> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const apiKey = await manager.findOneBy(ApiKey, { accountId, id });
      if (!apiKey) {
        throw IdentityErrors.apiKeyNotFound();
      }
      if (!apiKey.revokedAt) {
        apiKey.revokedAt = this.clock.now();
        await manager.update(ApiKey, { id }, { revokedAt: apiKey.revokedAt });
        await this.audit.record({
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: id,
          metadata: { before: { name: apiKey.name } },
        });
      }
      return toApiKeyDto(apiKey);
    });
  }

  /**
   * The private-app actor for a presented key, or `null` when the key is unknown, wrong, revoked
   * or expired. The key's scopes count only while its creator is still an active super admin
   * of the account, so a key never carries more rights than the person who made it.
   */
  async authenticate(presented: string): Promise<Actor | null> {
    const match = KEY_PATTERN.exec(presented);
    if (!match) {
      return null;
    }
    const hex = match[1];
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const manager = this.transactions.manager;
    const apiKey = await manager.findOneBy(ApiKey, { id });
    const expected = apiKey ? Buffer.from(apiKey.secretHash, 'hex') : Buffer.alloc(32);
    const matches = timingSafeEqual(expected, sha256(match[2]));
    const now = this.clock.now();
    if (!apiKey || !matches || apiKey.revokedAt || (apiKey.expiresAt && apiKey.expiresAt <= now)) {
      return null;
    }
    const creator = await manager.findOneBy(Membership, {
      accountId: apiKey.accountId,
      userId: apiKey.createdByUserId,
    });
    const creatorHoldsScopes = creator?.status === 'active' && creator.superAdmin;
    if (
      !apiKey.lastUsedAt ||
      now.getTime() - apiKey.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS
    ) {
      await manager.update(ApiKey, { id }, { lastUsedAt: now });
    }
    return {
      kind: 'private_app',
      id: apiKey.id,
      accountId: apiKey.accountId,
      userId: apiKey.createdByUserId,
      label: `private app "${apiKey.name}"`,
      superAdmin: false,
      scopes: creatorHoldsScopes ? apiKey.scopes : [],
    };
  }
}

function toApiKeyDto(apiKey: ApiKey): ApiKeyDto {
  return {
    id: apiKey.id,
    name: apiKey.name,
    hint: apiKey.secretHint,
    scopes: apiKey.scopes,
    createdByUserId: apiKey.createdByUserId,
    createdAt: apiKey.createdAt.toISOString(),
    expiresAt: apiKey.expiresAt?.toISOString() ?? null,
    lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    revokedAt: apiKey.revokedAt?.toISOString() ?? null,
  };
}
