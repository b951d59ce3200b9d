import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import {
  Clock,
  mapPage,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  type Actor,
  type Page,
} from '@custos/core';
import { IdentityErrors } from '../identity.errors';
import { ApiKey } from './api-key.entity';
import type { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-key.dto';
import { AccountKeys } from './secret-key';

/** Private apps: API keys made by super admins, limited to scopes, stored only as hashes. */
@Injectable()
export class ApiKeyService {
  private readonly keys: AccountKeys<ApiKey>;

  constructor(
    transactions: TransactionHost,
    context: RequestContext,
    audit: AuditService,
    private readonly clock: Clock,
  ) {
    this.keys = new AccountKeys(transactions, context, audit, clock, {
      entity: ApiKey,
      prefix: 'ck_',
      targetType: 'api_key',
      issuerRequired: 'Only super admins can create API keys.',
      notFound: () => IdentityErrors.apiKeyNotFound(),
    });
  }

  async create(input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const issuer = this.keys.issuer();
    if (input.expiresAt && input.expiresAt <= this.clock.now()) {
      throw IdentityErrors.expiryInPast();
    }
    const { stored, secret } = await this.keys.issue(
      issuer,
      input.name,
      { scopes: input.scopes, expiresAt: input.expiresAt ?? null },
      (apiKey) => ({
        name: apiKey.name,
        scopes: apiKey.scopes,
        expiresAt: apiKey.expiresAt?.toISOString() ?? null,
      }),
    );
    return { ...toApiKeyDto(stored), key: secret };
  }

  async list(query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    return mapPage(await this.keys.list(query), toApiKeyDto);
  }

  async revoke(id: string): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.keys.revoke(id));
  }

  /**
   * The private-app actor for a presented key, or `null` when the key is unknown, wrong, revoked
   * or expired. The key's scopes count only while its creator is still an active super admin
   * of the account, so a key never carries more rights than the person who made it.
   */
  async authenticate(presented: string): Promise<Actor | null> {
    const now = this.clock.now();
    const found = await this.keys.presented(
      presented,
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
