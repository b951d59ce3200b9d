import { Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  TransactionHost,
  type Actor,
  actsThroughMembership,
  signsInAsPerson,
} from '@custos/core';
import { Account } from '../accounts/account.entity';
import { IdentityErrors } from '../identity.errors';
import { SupportAccessService } from '../support-access/support-access.service';
import { InvitationService } from '../users/invitation.service';
import { Membership } from '../users/membership.entity';
import { userActor } from '../users/user-actor';
import { User } from '../users/user.entity';
import { AccessTokenService } from './access-token.service';
import type { AccessTokenDto, ChangePasswordDto, LoginDto } from './login.dto';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';

/**
 * Email + password sign-in, throttled and audited, yielding an access token for one account: as a
 * member (accepting an invitation on the way), or as support staff holding an active support
 * access grant to it. Tokens carry the credential generations checked on every request.
 */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly transactions: TransactionHost,
    private readonly passwords: PasswordHasher,
    private readonly tokens: AccessTokenService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly supportAccess: SupportAccessService,
    private readonly invitations: InvitationService,
  ) {}

  async login(input: LoginDto, clientIp: string): Promise<AccessTokenDto> {
    await this.throttle.assertAllowed(input.email, clientIp);
    const manager = this.transactions.manager;
    const user = await manager.findOneBy(User, { email: input.email });
    const passwordOk = await this.passwords.verify(user?.passwordHash ?? null, input.password);
    const memberships = user
      ? await manager.findBy(Membership, { userId: user.id, status: 'active' })
      : [];
    const invitations = user && passwordOk ? await this.invitations.pendingFor(user.id) : [];
    if (!user || !passwordOk || (memberships.length === 0 && invitations.length === 0)) {
      await this.throttle.recordFailure(input.email, clientIp);
      await this.recordFailure(user, memberships, input.accountId);
      throw IdentityErrors.invalidCredentials();
    }
    const session = await this.openSession(user, memberships, invitations, input.accountId);
    await this.throttle.recordSuccess(input.email);
    await this.audit.record({
      accountId: session.actor.accountId,
      actor: session.actor,
      action: 'auth.login_succeeded',
      targetType: 'user',
      targetId: user.id,
      metadata: { method: 'password', ...(session.membership ? {} : { supportAccess: true }) },
    });
    return {
      accessToken: await this.tokens.issue({
        userId: user.id,
        accountId: session.actor.accountId,
        userGeneration: user.credentialGeneration,
        membership: session.membership && {
          id: session.membership.id,
          generation: session.membership.credentialGeneration,
        },
      }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      accountId: session.actor.accountId,
    };
  }

  async changePassword(actor: Actor, input: ChangePasswordDto): Promise<void> {
    const user = actsThroughMembership(actor)
      ? await this.transactions.manager.findOneBy(User, { id: actor.id })
      : null;
    if (!user || !user.passwordHash) {
      throw IdentityErrors.passwordLoginDisabled();
    }
    if (!(await this.passwords.verify(user.passwordHash, input.currentPassword))) {
      throw IdentityErrors.invalidCredentials();
    }
    const passwordHash = await this.passwords.hash(input.newPassword);
    await this.transactions.run(async (manager) => {
      await manager.update(User, { id: user.id }, { passwordHash, updatedAt: this.clock.now() });
      await this.endTokensOf(user.id);
      await this.audit.record({
        action: 'auth.password_changed',
        targetType: 'user',
        targetId: user.id,
        metadata: {},
      });
    });
  }

  /** Ends every access token of the acting person, in every account, the current one included. */
  async signOutEverywhere(actor: Actor): Promise<void> {
    if (!signsInAsPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'identity.people_only',
        'Only people sign in; revoke an API key to end it.',
      );
    }
    const userId = actor.userId;
    await this.transactions.run(async () => {
      await this.endTokensOf(userId);
      await this.audit.record({
        action: 'auth.signed_out_everywhere',
        targetType: 'user',
        targetId: userId,
        metadata: {},
      });
    });
  }

  /** Moves the login's credential generation on: tokens issued before fail at their next request. */
  private async endTokensOf(userId: string): Promise<void> {
    await this.transactions.manager.increment(User, { id: userId }, 'credentialGeneration', 1);
  }

  /**
   * The account to sign in to: an active membership, an invitation the person accepts by naming
   * its account (or, with no active membership, by being invited to one account only), or a
   * support grant. Memberships beat support grants.
   */
  private async openSession(
    user: User,
    memberships: Membership[],
    invitations: Membership[],
    accountId: string | undefined,
  ): Promise<{ actor: Actor; membership?: Membership }> {
    const asMember = (membership: Membership) => ({
      actor: userActor(user, membership),
      membership,
    });
    if (accountId) {
      const chosen = memberships.find((m) => m.accountId === accountId);
      if (chosen) {
        return asMember(chosen);
      }
      const invitation = invitations.find((m) => m.accountId === accountId);
      if (invitation) {
        return asMember(await this.invitations.accept(user, invitation));
      }
      const support = await this.supportAccess.sessionActor(user.id, accountId);
      if (!support) {
        throw IdentityErrors.notAMember('accountId');
      }
      return { actor: support };
    }
    if (memberships.length === 1) {
      return asMember(memberships[0]);
    }
    if (memberships.length === 0 && invitations.length === 1) {
      return asMember(await this.invitations.accept(user, invitations[0]));
    }
    const accounts = await this.transactions.manager.find(Account, {
      where: { id: In(memberships.map((m) => m.accountId)) },
      order: { name: 'ASC' },
    });
    throw IdentityErrors.accountRequired(
      accounts.map((a) => ({ id: a.id, name: a.name })),
      await this.invitations.accountsOf(invitations),
    );
  }

  /**
   * A failed sign-in of a known user is audited in the accounts they joined themselves (active
   * memberships; never where they are only invited); unknown emails only in the log.
   */
  private async recordFailure(
    user: User | null,
    memberships: Membership[],
    accountId: string | undefined,
  ): Promise<void> {
    if (!user) {
      this.logger.warn('Failed sign-in for an unknown email');
      return;
    }
    const targets = accountId ? memberships.filter((m) => m.accountId === accountId) : memberships;
    for (const membership of targets) {
      await this.audit.record({
        accountId: membership.accountId,
        actor: userActor(user, membership),
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user.id,
        metadata: { method: 'password' },
      });
    }
  }
}
