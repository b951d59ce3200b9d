import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  keysetPage,
  newId,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  type Actor,
  type Page,
} from '@custos/core';
import { IdentityErrors } from '../identity.errors';
import { Membership } from '../users/membership.entity';
import { User } from '../users/user.entity';
import { SupportAccessGrant } from './support-access-grant.entity';
import {
  SUPPORT_ACCESS_MAX_DAYS,
  type CreateSupportAccessDto,
  type SupportAccessGrantDto,
  type SupportAccessStatus,
} from './support-access.dto';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Temporary, read-only access of support staff to an account, granted and revoked by its super
 * admins. A support session is checked against its grant on every request ({@link sessionActor}),
 * so expiry and revocation take effect at once.
 */
@Injectable()
export class SupportAccessService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async grant(input: CreateSupportAccessDto): Promise<SupportAccessGrantDto> {
    const actor = this.superAdminInPerson();
    const now = this.clock.now();
    if (input.expiresAt <= now) {
      throw IdentityErrors.expiryInPast();
    }
    if (input.expiresAt.getTime() - now.getTime() > SUPPORT_ACCESS_MAX_DAYS * DAY_MS) {
      throw IdentityErrors.supportAccessTooLong(SUPPORT_ACCESS_MAX_DAYS);
    }
    return this.transactions.run(async (manager) => {
      const user = await manager.findOneBy(User, { email: input.supportUserEmail });
      if (!user) {
        throw IdentityErrors.supportUserUnknown();
      }
      const memberships = await manager.findBy(Membership, { userId: user.id });
      if (memberships.some((m) => m.accountId === actor.accountId)) {
        throw IdentityErrors.supportUserIsMember();
      }
      if (!memberships.some((m) => m.status === 'active')) {
        throw IdentityErrors.supportUserDeactivated();
      }
      if (await this.activeGrant(actor.accountId, user.id)) {
        throw IdentityErrors.supportAccessExists();
      }
      const grant: SupportAccessGrant = {
        id: newId(),
        accountId: actor.accountId,
        supportUserId: user.id,
        reason: input.reason,
        grantedByUserId: actor.userId,
        createdAt: now,
        expiresAt: input.expiresAt,
        revokedAt: null,
        revokedByUserId: null,
      };
      await manager.insert(SupportAccessGrant, grant);
      await this.audit.record({
        action: 'support_access.granted',
        targetType: 'support_access',
        targetId: grant.id,
        metadata: {
          supportUserId: user.id,
          expiresAt: grant.expiresAt.toISOString(),
          reason: grant.reason,
        },
      });
      return toGrantDto(grant, user, now);
    });
  }

  /** Every grant of the account, active and past, oldest first. */
  async list(query: PageQueryDto): Promise<Page<SupportAccessGrantDto>> {
    this.superAdminInPerson();
    const manager = this.transactions.manager;
    const builder = manager
      .createQueryBuilder(SupportAccessGrant, 'g')
      .where('g.accountId = :accountId', { accountId: this.context.requireAccountId() });
    const page = await keysetPage(builder, 'g.id', (g) => g.id, query);
    const userIds = [...new Set(page.results.map((g) => g.supportUserId))];
    const users = userIds.length > 0 ? await manager.findBy(User, { id: In(userIds) }) : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    const now = this.clock.now();
    return {
      results: page.results.map((g) => toGrantDto(g, byId.get(g.supportUserId), now)),
      paging: page.paging,
    };
  }

  /** Ends a grant now; the support session's next request is refused. Revoking twice is harmless. */
  async revoke(id: string): Promise<SupportAccessGrantDto> {
    const actor = this.superAdminInPerson();
    return this.transactions.run(async (manager) => {
      const grant = await manager.findOneBy(SupportAccessGrant, {
        accountId: actor.accountId,
        id,
      });
      if (!grant) {
        throw IdentityErrors.supportAccessNotFound();
      }
      const now = this.clock.now();
      if (!grant.revokedAt) {
        grant.revokedAt = now;
        grant.revokedByUserId = actor.userId;
        await manager.update(
          SupportAccessGrant,
          { id },
          { revokedAt: grant.revokedAt, revokedByUserId: grant.revokedByUserId },
        );
        await this.audit.record({
          action: 'support_access.revoked',
          targetType: 'support_access',
          targetId: id,
          metadata: {
            supportUserId: grant.supportUserId,
            expiresAt: grant.expiresAt.toISOString(),
            reason: grant.reason,
          },
        });
      }
      const user = await manager.findOneBy(User, { id: grant.supportUserId });
      return toGrantDto(grant, user ?? undefined, now);
    });
  }

  /**
   * The support actor of `userId` in `accountId`, or `null` unless they hold an unexpired,
   * unrevoked grant there, are no member of the account (members act through their membership,
   * a deactivated one included) and their login is still active somewhere.
   */
  async sessionActor(userId: string, accountId: string): Promise<Actor | null> {
    const manager = this.transactions.manager;
    const grant = await this.activeGrant(accountId, userId);
    if (!grant) {
      return null;
    }
    const [user, memberships] = await this.transactions.all(
      () => manager.findOneBy(User, { id: userId }),
      () => manager.findBy(Membership, { userId }),
    );
    if (
      !user ||
      memberships.some((m) => m.accountId === accountId) ||
      !memberships.some((m) => m.status === 'active')
    ) {
      return null;
    }
    return supportActor(user, accountId);
  }

  private async activeGrant(accountId: string, userId: string): Promise<SupportAccessGrant | null> {
    const grants = await this.transactions.manager.findBy(SupportAccessGrant, {
      accountId,
      supportUserId: userId,
      revokedAt: IsNull(),
    });
    const now = this.clock.now();
    return grants.find((g) => g.expiresAt > now) ?? null;
  }

  /** The route is for super admins already; the service holds the rule too, for other callers. */
  private superAdminInPerson(): Actor & { userId: string } {
    const actor = this.context.requireActor();
    if (actor.kind !== 'user' || !actor.superAdmin || !actor.userId) {
      throw new CustosError(
        'forbidden',
        'identity.super_admin_required',
        'Only super admins of this account, in person, can manage support access.',
      );
    }
    return { ...actor, userId: actor.userId };
  }
}

/** The actor of a support session in `accountId`: read-only, never a super admin. */
export function supportActor(user: Pick<User, 'id' | 'email'>, accountId: string): Actor {
  return {
    kind: 'support',
    id: user.id,
    accountId,
    userId: user.id,
    label: user.email,
    superAdmin: false,
  };
}

function statusOf(grant: SupportAccessGrant, now: Date): SupportAccessStatus {
  if (grant.revokedAt) {
    return 'revoked';
  }
  return grant.expiresAt > now ? 'active' : 'expired';
}

function toGrantDto(
  grant: SupportAccessGrant,
  user: User | undefined,
  now: Date,
): SupportAccessGrantDto {
  return {
    id: grant.id,
    supportUser: {
      id: grant.supportUserId,
      email: user?.email ?? '',
      displayName: user?.displayName ?? '',
    },
    reason: grant.reason,
    grantedByUserId: grant.grantedByUserId,
    createdAt: grant.createdAt.toISOString(),
    expiresAt: grant.expiresAt.toISOString(),
    revokedAt: grant.revokedAt?.toISOString() ?? null,
    revokedByUserId: grant.revokedByUserId,
    status: statusOf(grant, now),
  };
}
