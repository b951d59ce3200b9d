import { Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { accessVersionSql } from '@custos/access';
import { Clock, RequestContext, TransactionHost, type Actor } from '@custos/core';
import { ApiKeyService } from '../api-keys/api-key.service';
import { SupportAccessService, supportActor } from '../support-access/support-access.service';
import { IdentityErrors } from '../identity.errors';
import { ME_ORDER, meSql, rememberMeRows, type MeRow } from '../me/me.service';
import { InvitationService } from '../users/invitation.service';
import { Membership } from '../users/membership.entity';
import { PartnerAccessTerm } from '../users/partner-access-term';
import { userActor } from '../users/user-actor';
import { User } from '../users/user.entity';
import {
  ACCESS_TOKEN_ISSUER,
  AccessTokenService,
  type AccessTokenClaims,
} from './access-token.service';
import { OidcVerifier } from './oidc-verifier';

/**
 * Everything an access token's sign-in needs, in one round trip: the user and their credential
 * generation, their membership of the account (any status) with its id and generation, whether a
 * support grant to it is active and whether they are active anywhere (for a support session), and
 * the account's access version (for the cached abilities and schemas of the request). ISO
 * timestamps compare as text (see `TimestampColumn`).
 */
const SIGN_IN_SQL = `SELECT u.id AS user_id, u.email AS email,
  u.credential_generation AS user_generation,
  m.id AS membership_id, m.credential_generation AS membership_generation,
  m.status AS member_status, m.super_admin AS super_admin, m.partner_firm_id AS partner_firm_id,
  m.partner_access_expires_at AS partner_expires_at, m.partner_access_extend_days AS partner_extend_days,
  EXISTS (SELECT 1 FROM identity_support_access_grant g
    WHERE g.support_user_id = u.id AND g.account_id = $2
      AND g.revoked_at IS NULL AND g.expires_at > $3) AS support_granted,
  EXISTS (SELECT 1 FROM identity_membership a
    WHERE a.user_id = u.id AND a.status = 'active') AS active_somewhere,
  ${accessVersionSql('$2')} AS access_version
FROM identity_user u
LEFT JOIN identity_membership m ON m.user_id = u.id AND m.account_id = $2
WHERE u.id = $1`;

/**
 * {@link SIGN_IN_SQL} and `GET /me`'s read in one statement (one round trip for the most polled
 * call): the sign-in's row beside each of `meSql`'s, read for the token's account and login (`$4`:
 * the login when the token is a membership's), and used only if the sign-in admits the token.
 */
const SIGN_IN_WITH_ME_SQL = `SELECT s.*, me.* FROM (${SIGN_IN_SQL}) s
LEFT JOIN (${meSql('$2', '$1', '$4')}) me ON 1 = 1
ORDER BY ${ME_ORDER}`;

/** A row of {@link SIGN_IN_SQL}; SQLite gives booleans as 0/1, PostgreSQL integers as numbers. */
interface SignInRow {
  user_id: string;
  email: string;
  user_generation: number | string;
  membership_id: string | null;
  membership_generation: number | string | null;
  member_status: string | null;
  super_admin: boolean | number | null;
  partner_firm_id: string | null;
  partner_expires_at: string | null;
  partner_extend_days: number | string | null;
  support_granted: boolean | number;
  active_somewhere: boolean | number;
  access_version: number | null;
}

/** A credential as presented: the bearer token or `X-API-Key`, and the chosen account if any. */
export interface PresentedCredential {
  token: string;
  /** `X-Custos-Account`: which account an identity-provider token acts in, for users of several. */
  accountId?: string;
  /** The request is `GET /me`: read what it shows with the sign-in where that saves a round trip. */
  withMe?: boolean;
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
    private readonly invitations: InvitationService,
    private readonly partnerTerms: PartnerAccessTerm,
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {}

  async authenticate(credential: PresentedCredential): Promise<Actor> {
    const actor = await this.resolve(credential);
    if (!actor) {
      throw IdentityErrors.invalidToken();
    }
    return actor;
  }

  private async resolve({ token, accountId, withMe }: PresentedCredential): Promise<Actor | null> {
    if (token.startsWith('ck_')) {
      return this.apiKeys.authenticate(token);
    }
    // Our own tokens first, the common case: verified without decoding them twice.
    const claims = await this.tokens.verify(token);
    if (claims) {
      return this.accessTokenActor(claims, withMe === true);
    }
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      return null;
    }
    if (issuer === ACCESS_TOKEN_ISSUER) {
      return null;
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
      return (await this.partnerTerms.admits(chosen)) ? userActor(user, chosen) : null;
    }
    if (!accountId) {
      return null;
    }
    // Naming the account of an invitation accepts it, as a password sign-in naming it does.
    const invitation = (await this.invitations.pendingFor(user.id)).find(
      (m) => m.accountId === accountId,
    );
    return invitation
      ? userActor(user, await this.invitations.accept(user, invitation))
      : this.supportAccess.sessionActor(user.id, accountId);
  }

  /**
   * The same rules as `userActor` and `SupportAccessService.sessionActor`, from one query; the
   * token must still be of the login's and the membership's current credential generation, and a
   * member's token of the very membership it was issued for (so one issued before a removal dies
   * with the removed row, whatever is added later).
   */
  private async accessTokenActor(
    claims: AccessTokenClaims,
    withMe: boolean,
  ): Promise<Actor | null> {
    const { userId, accountId, membership } = claims;
    const now = this.clock.now().toISOString();
    const withMeRows = withMe
      ? await this.transactions.queryPrepared<SignInRow & MeRow>(
          'identity_sign_in_me',
          SIGN_IN_WITH_ME_SQL,
          [userId, accountId, now, membership ? userId : null],
        )
      : undefined;
    const [row] =
      withMeRows ??
      (await this.transactions.queryPrepared<SignInRow>('identity_sign_in', SIGN_IN_SQL, [
        userId,
        accountId,
        now,
      ]));
    if (!row || Number(row.user_generation) !== claims.userGeneration) {
      return null;
    }
    let actor: Actor | null = null;
    if (membership) {
      if (
        row.member_status === 'active' &&
        row.membership_id === membership.id &&
        Number(row.membership_generation) === membership.generation &&
        (await this.partnerTerms.admits({
          id: membership.id,
          accountId,
          userId,
          partnerFirmId: row.partner_firm_id,
          partnerAccessExpiresAt: row.partner_expires_at ? new Date(row.partner_expires_at) : null,
          partnerAccessExtendDays:
            row.partner_extend_days === null ? null : Number(row.partner_extend_days),
        }))
      ) {
        actor = userActor(
          { id: row.user_id, email: row.email },
          { accountId, superAdmin: Boolean(row.super_admin), partnerFirmId: row.partner_firm_id },
        );
      }
    } else if (
      row.member_status === null &&
      Boolean(row.support_granted) &&
      Boolean(row.active_somewhere)
    ) {
      actor = supportActor({ id: row.user_id, email: row.email }, accountId);
    }
    if (actor) {
      this.context.rememberAccessVersion(accountId, row.access_version ?? 0);
      if (withMeRows) {
        rememberMeRows(actor, withMeRows);
      }
    }
    return actor;
  }
}
