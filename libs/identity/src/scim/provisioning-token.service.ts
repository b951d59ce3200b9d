import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  isSuperAdminInPerson,
  mapPage,
  newId,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  type Actor,
  type Page,
} from '@custos/core';
import { issueSecretKey, keysOfAccount, presentedKey, revokeKey } from '../api-keys/secret-key';
import { ProvisioningToken } from './provisioning-token.entity';
import type {
  CreateProvisioningTokenDto,
  CreatedProvisioningTokenDto,
  ProvisioningTokenDto,
} from './provisioning-token.dto';
import { ScimErrors } from './scim.errors';

const TOKEN_PREFIX = 'cps_';

/**
 * SCIM provisioning tokens: made by a super admin in person, shown once, stored as hashes (the
 * API keys' scheme), revocable. A token authenticates only the SCIM routes, as a `provisioning`
 * actor of its account.
 */
@Injectable()
export class ProvisioningTokenService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(input: CreateProvisioningTokenDto): Promise<CreatedProvisioningTokenDto> {
    const actor = this.context.requireActor();
    if (!isSuperAdminInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'identity.super_admin_required',
        'Only super admins, signed in as themselves, can create provisioning tokens.',
      );
    }
    const id = newId();
    const { key, secretHash, hint } = issueSecretKey(TOKEN_PREFIX, id);
    return this.transactions.run(async (manager) => {
      const token = manager.create(ProvisioningToken, {
        id,
        accountId: actor.accountId,
        name: input.name,
        secretHash,
        secretHint: hint,
        createdByUserId: actor.userId,
        createdAt: this.clock.now(),
        lastUsedAt: null,
        revokedAt: null,
      });
      await manager.insert(ProvisioningToken, token);
      await this.audit.record({
        action: 'scim_token.created',
        targetType: 'scim_token',
        targetId: id,
        metadata: { after: { name: token.name } },
      });
      return { ...toDto(token), token: key };
    });
  }

  async list(query: PageQueryDto): Promise<Page<ProvisioningTokenDto>> {
    const accountId = this.context.requireAccountId();
    return mapPage(
      await keysOfAccount(this.transactions.manager, ProvisioningToken, accountId, query),
      toDto,
    );
  }

  async revoke(id: string): Promise<ProvisioningTokenDto> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const token = await revokeKey(
        manager,
        this.audit,
        ProvisioningToken,
        { accountId, id },
        this.clock.now(),
        'scim_token',
      );
      if (!token) {
        throw ScimErrors.provisioningTokenNotFound();
      }
      return toDto(token);
    });
  }

  /**
   * The provisioning actor of a presented token, or `null` when it is unknown, wrong or revoked,
   * or when its creator is no longer an active super admin of the account (a token never
   * outlives its maker's authority).
   */
  async authenticate(presented: string): Promise<Actor | null> {
    const found = await presentedKey(
      this.transactions.manager,
      ProvisioningToken,
      TOKEN_PREFIX,
      presented,
      this.clock.now(),
    );
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
