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
import { AccountKeys } from '../api-keys/secret-key';
import { ProvisioningToken } from './provisioning-token.entity';
import type {
  CreateProvisioningTokenDto,
  CreatedProvisioningTokenDto,
  ProvisioningTokenDto,
} from './provisioning-token.dto';
import { ScimErrors } from './scim.errors';

/**
 * SCIM provisioning tokens: made by a super admin in person, shown once, stored as hashes (the
 * API keys' scheme), revocable. A token authenticates only the SCIM routes, as a `provisioning`
 * actor of its account.
 */
@Injectable()
export class ProvisioningTokenService {
  private readonly tokens: AccountKeys<ProvisioningToken>;

  constructor(
    transactions: TransactionHost,
    context: RequestContext,
    audit: AuditService,
    clock: Clock,
  ) {
    this.tokens = new AccountKeys(transactions, context, audit, clock, {
      entity: ProvisioningToken,
      prefix: 'cps_',
      targetType: 'scim_token',
      issuerRequired: 'Only super admins, signed in as themselves, can create provisioning tokens.',
      notFound: () => ScimErrors.provisioningTokenNotFound(),
    });
  }

  async create(input: CreateProvisioningTokenDto): Promise<CreatedProvisioningTokenDto> {
    const { stored, secret } = await this.tokens.issue(
      this.tokens.issuer(),
      input.name,
      {},
      (token) => ({ name: token.name }),
    );
    return { ...toDto(stored), token: secret };
  }

  async list(query: PageQueryDto): Promise<Page<ProvisioningTokenDto>> {
    return mapPage(await this.tokens.list(query), toDto);
  }

  async revoke(id: string): Promise<ProvisioningTokenDto> {
    return toDto(await this.tokens.revoke(id));
  }

  /**
   * The provisioning actor of a presented token, or `null` when it is unknown, wrong or revoked,
   * or when its creator is no longer an active super admin of the account (a token never
   * outlives its maker's authority).
   */
  async authenticate(presented: string): Promise<Actor | null> {
    const found = await this.tokens.presented(presented);
    if (!found?.creatorIsSuperAdmin) {
      return null;
    }
    const token = found.key;
    return {
      kind: 'provisioning',
      id: token.id,
      accountId: token.accountId,
      userId: null,
      label: `provisioning token "${token.name}"`,
      superAdmin: false,
    };
  }
}

function toDto(token: ProvisioningToken): ProvisioningTokenDto {
  return {
    id: token.id,
    name: token.name,
    hint: token.secretHint,
    createdByUserId: token.createdByUserId,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
