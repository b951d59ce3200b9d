import { Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { TransactionHost, type Actor } from '@custos/core';
import { ApiKeyService } from '../api-keys/api-key.service';
import { SupportAccessService } from '../support-access/support-access.service';
import { IdentityErrors } from '../identity.errors';
import { Membership } from '../users/membership.entity';
import { userActor } from '../users/user-actor';
import { User } from '../users/user.entity';
import { ACCESS_TOKEN_ISSUER, AccessTokenService } from './access-token.service';
import { OidcVerifier } from './oidc-verifier';

/** A credential as presented: the bearer token or `X-API-Key`, and the chosen account if any. */
export interface PresentedCredential {
  token: string;
  /** `X-Custos-Account`: which account an identity-provider token acts in, for users of several. */
  accountId?: string;
}

/**
 * Turns a presented credential into the actor of the request: Custos access tokens, OIDC tokens
 * of the configured provider, or private-app API keys. Rights come from the database on every
 * request, so a demotion or deactivation takes effect at once, not when the token expires; so
 * does a support session's grant, which ends the session when it expires or is revoked.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly tokens: AccessTokenService,
    private readonly oidc: OidcVerifier,
    private readonly apiKeys: ApiKeyService,
    private readonly supportAccess: SupportAccessService,
  ) {}

  async authenticate(credential: PresentedCredential): Promise<Actor> {
    const actor = await this.resolve(credential);
    if (!actor) {
      throw IdentityErrors.invalidToken();
    }
    return actor;
  }

  private async resolve({ token, accountId }: PresentedCredential): Promise<Actor | null> {
    if (token.startsWith('ck_')) {
      return this.apiKeys.authenticate(token);
    }
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      return null;
    }
    if (issuer === ACCESS_TOKEN_ISSUER) {
      const claims = await this.tokens.verify(token);
      return claims ? this.accessTokenActor(claims.userId, claims.accountId) : null;
    }
    if (this.oidc.accepts(issuer)) {
      const email = await this.oidc.verifiedEmail(token);
      return email ? this.identityProviderActor(email, accountId) : null;
    }
    return null;
  }

  private async identityProviderActor(
    email: string,
    accountId: string | undefined,
  ): Promise<Actor | null> {
    const user = await this.transactions.manager.findOneBy(User, { email });
    if (!user) {
      return null;
    }
    const memberships = await this.transactions.manager.findBy(Membership, {
      userId: user.id,
      status: 'active',
    });
    const chosen = accountId
      ? memberships.find((m) => m.accountId === accountId)
      : memberships.length === 1
        ? memberships[0]
        : undefined;
    if (chosen) {
      return userActor(user, chosen);
    }
    return accountId ? this.supportAccess.sessionActor(user.id, accountId) : null;
  }

  private async accessTokenActor(userId: string, accountId: string): Promise<Actor | null> {
    const membership = await this.transactions.manager.findOneBy(Membership, {
      userId,
      accountId,
      status: 'active',
    });
    if (!membership) {
      return this.supportAccess.sessionActor(userId, accountId);
    }
    const user = await this.transactions.manager.findOneBy(User, { id: userId });
    return user ? userActor(user, membership) : null;
  }
}
