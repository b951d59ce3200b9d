import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
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
import { ApiKey } from './api-key.entity';
import type { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';
import { issueSecretKey, keysOfAccount, presentedKey, revokeKey } from './secret-key';

const KEY_PREFIX = 'ck_';

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
    const { key, secretHash, hint } = issueSecretKey(KEY_PREFIX, id);
    return this.transactions.run(async (manager) => {
      const apiKey = manager.create(ApiKey, {
        id,
        accountId: actor.accountId,
        name: input.name,
        secretHash,
        secretHint: hint,
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
    return mapPage(
      await keysOfAccount(this.transactions.manager, ApiKey, accountId, query),
      toApiKeyDto,
    );
  }

  async revoke(id: string): Promise<ApiKeyDto> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const apiKey = await revokeKey(
        manager,
        this.audit,
        ApiKey,
        { accountId, id },
        this.clock.now(),
        'api_key',
      );
      if (!apiKey) {
        throw IdentityErrors.apiKeyNotFound();
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
    const now = this.clock.now();
    const found = await presentedKey(
      this.transactions.manager,
      ApiKey,
      KEY_PREFIX,
      presented,
      now,
      (key) => !key.expiresAt || key.expiresAt > now,
    );
    if (!found) {
      return null;
    }
    const { key: apiKey, creatorIsSuperAdmin } = found;
    return {
      kind: 'private_app',
      id: apiKey.id,
      accountId: apiKey.accountId,
      userId: apiKey.createdByUserId,
      label: `private app "${apiKey.name}"`,
      superAdmin: false,
      scopes: creatorIsSuperAdmin ? apiKey.scopes : [],
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
