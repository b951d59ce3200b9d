import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@custos/core';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import {
  IDENTITY_MODULE_OPTIONS,
  type IdentityModuleOptions,
  type OidcOptions,
} from '../identity.module-definition';

/** Asymmetric algorithms only: a symmetric or `none` algorithm would let anyone forge tokens. */
export const OIDC_DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'PS256'];
const FORBIDDEN_ALGORITHMS = /^(HS|none)/i;

/** Verifies bearer tokens of the configured OpenID Connect provider against its JWKS. */
@Injectable()
export class OidcVerifier {
  private readonly oidc: OidcOptions | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly algorithms: string[];

  constructor(
    @Inject(IDENTITY_MODULE_OPTIONS) options: IdentityModuleOptions,
    private readonly clock: Clock,
  ) {
    this.oidc = options.oidc;
    this.algorithms = (this.oidc?.algorithms ?? OIDC_DEFAULT_ALGORITHMS).filter(
      (alg) => !FORBIDDEN_ALGORITHMS.test(alg),
    );
    // jose caches the key set and refetches it (at most every 30 s) when a token names an unknown key id.
    this.jwks = this.oidc
      ? createRemoteJWKSet(new URL(this.oidc.jwksUrl), { cooldownDuration: 30_000 })
      : undefined;
  }

  /** Whether a token claiming this issuer should be verified here. */
  accepts(issuer: string | undefined): boolean {
    return this.oidc !== undefined && issuer === this.oidc.issuer;
  }

  /** The verified email of the token's subject, or `null` for any invalid token. */
  async verifiedEmail(token: string): Promise<string | null> {
    if (!this.oidc || !this.jwks) {
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.oidc.issuer,
        audience: this.oidc.audience,
        algorithms: this.algorithms,
        currentDate: this.clock.now(),
        requiredClaims: ['exp'],
      });
      const email = payload[this.oidc.emailClaim ?? 'email'];
      if (typeof email !== 'string' || payload.email_verified === false) {
        return null;
      }
      return email.trim().toLowerCase();
    } catch {
      return null;
    }
  }
}
