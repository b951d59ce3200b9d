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
  isSuperAdminInPerson,
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
 * Temporary, read-only access of support staff to an account, granted to an email and revoked by
 * its super admins; nothing in the answers tells whether that email has a login elsewhere. A
 * support session is checked against its grant on every request ({@link sessionActor}), so expiry
 * and revocation take effect at once.
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
      // Whether the email has a login at all, or one that can sign in, is never told: the grant
      // is made to the email and takes effect when its person signs in with it.
      const login = await manager.findOneBy(User, { email: input.supportUserEmail });
      if (
        login &&
        (await manager.exists(Membership, {
          where: [
            { accountId: actor.accountId, userId: login.id },
            { accountId: actor.accountId, invitedLoginId: login.id },
          ],
        }))
      ) {
        throw IdentityErrors.supportUserIsMember();
      }
      if (await this.activeGrantTo(actor.accountId, input.supportUserEmail)) {
        throw IdentityErrors.supportAccessExists();
      }
      const grant: SupportAccessGrant = {
        id: newId(),
        accountId: actor.accountId,
        supportUserEmail: input.supportUserEmail,
        supportUserId: null,
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
          supportUserEmail: grant.supportUserEmail,
          expiresAt: grant.expiresAt.toISOString(),
          reason: grant.reason,
        },
      });
      return toGrantDto(grant, undefined, now);
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
    const userIds = [
      ...new Set(page.results.flatMap((g) => (g.supportUserId ? [g.supportUserId] : []))),
    ];
    const users = userIds.length > 0 ? await manager.findBy(User, { id: In(userIds) }) : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    const now = this.clock.now();
    return {
      results: page.results.map((g) =>
        toGrantDto(g, g.supportUserId ? byId.get(g.supportUserId) : undefined, now),
      ),
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
            supportUserEmail: grant.supportUserEmail,
            expiresAt: grant.expiresAt.toISOString(),
            reason: grant.reason,
          },
        });
      }
      const user = grant.supportUserId
        ? await manager.findOneBy(User, { id: grant.supportUserId })
        : null;
      return toGrantDto(grant, user ?? undefined, now);
    });
  }

  /**
   * The support actor of `userId` in `accountId`, or `null` unless a grant to their email there
   * is unexpired and unrevoked (and not used by another login), they are no member of the account
   * (members act through their membership, a deactivated one included) and their login is still
   * active somewhere. The first use binds the grant to the login, which the account sees from
   * then on.
   */
  async sessionActor(userId: string, accountId: string): Promise<Actor | null> {
    const manager = this.transactions.manager;
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
    const grant = await this.activeGrantTo(accountId, user.email);
    if (!grant || (grant.supportUserId !== null && grant.supportUserId !== userId)) {
      return null;
    }
    if (grant.supportUserId === null) {
      await manager.update(SupportAccessGrant, { id: grant.id }, { supportUserId: userId });
    }
    return supportActor(user, accountId);
  }

  private async activeGrantTo(
    accountId: string,
    email: string,
  ): Promise<SupportAccessGrant | null> {
    const grants = await this.transactions.manager.findBy(SupportAccessGrant, {
      accountId,
      supportUserEmail: email,
      revokedAt: IsNull(),
    });
    const now = this.clock.now();
    return grants.find((g) => g.expiresAt > now) ?? null;
  }

  /** The route is for super admins already; the service holds the rule too, for other callers. */
  private superAdminInPerson(): Actor & { userId: string } {
    const actor = this.context.requireActor();
    if (!isSuperAdminInPerson(actor)) {
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
      email: grant.supportUserEmail,
      displayName: user?.displayName ?? null,
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
