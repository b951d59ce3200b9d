import { Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import { AuditService } from '@custos/audit';
import { Clock, TransactionHost, type Actor } from '@custos/core';
import { Account } from '../accounts/account.entity';
import { IdentityErrors } from '../identity.errors';
import { SupportAccessService } from '../support-access/support-access.service';
import { Membership } from '../users/membership.entity';
import { userActor } from '../users/user-actor';
import { User } from '../users/user.entity';
import { AccessTokenService } from './access-token.service';
import type { AccessTokenDto, ChangePasswordDto, LoginDto } from './login.dto';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';

/**
 * Email + password sign-in, throttled and audited, yielding an access token for one account: as a
 * member, or as support staff holding an active support access grant to it.
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
  ) {}

  async login(input: LoginDto, clientIp: string): Promise<AccessTokenDto> {
    await this.throttle.assertAllowed(input.email, clientIp);
    const manager = this.transactions.manager;
    const user = await manager.findOneBy(User, { email: input.email });
    const passwordOk = await this.passwords.verify(user?.passwordHash ?? null, input.password);
    const memberships = user
      ? await manager.findBy(Membership, { userId: user.id, status: 'active' })
      : [];
    if (!user || !passwordOk || memberships.length === 0) {
      await this.throttle.recordFailure(input.email, clientIp);
      await this.recordFailure(user, memberships, input.accountId);
      throw IdentityErrors.invalidCredentials();
    }
    const support =
      input.accountId && !memberships.some((m) => m.accountId === input.accountId)
        ? await this.supportAccess.sessionActor(user.id, input.accountId)
        : null;
    const actor = support ?? (await this.chooseActor(user, memberships, input.accountId));
    await this.throttle.recordSuccess(input.email);
    await this.audit.record({
      accountId: actor.accountId,
      actor,
      action: 'auth.login_succeeded',
      targetType: 'user',
      targetId: user.id,
      metadata: { method: 'password', ...(support ? { supportAccess: true } : {}) },
    });
    return {
      accessToken: await this.tokens.issue({ userId: user.id, accountId: actor.accountId }),
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      accountId: actor.accountId,
    };
  }

  async changePassword(actor: Actor, input: ChangePasswordDto): Promise<void> {
    const user =
      actor.kind === 'user'
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
      await this.audit.record({
        action: 'auth.password_changed',
        targetType: 'user',
        targetId: user.id,
        metadata: {},
      });
    });
  }

  private async chooseActor(
    user: User,
    memberships: Membership[],
    accountId: string | undefined,
  ): Promise<Actor> {
    if (accountId) {
      const chosen = memberships.find((m) => m.accountId === accountId);
      if (!chosen) {
        throw IdentityErrors.notAMember('accountId');
      }
      return userActor(user, chosen);
    }
    if (memberships.length === 1) {
      return userActor(user, memberships[0]);
    }
    const accounts = await this.transactions.manager.findBy(Account, {
      id: In(memberships.map((m) => m.accountId)),
    });
    throw IdentityErrors.accountRequired(accounts.map((a) => ({ id: a.id, name: a.name })));
  }

  /** A failed sign-in of a known user is audited in their accounts; unknown emails only in the log. */
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
