import { Inject, Injectable } from '@nestjs/common';
import { Clock, newId } from '@custos/core';
import { SignJWT, jwtVerify } from 'jose';
import { IDENTITY_MODULE_OPTIONS, type IdentityModuleOptions } from '../identity.module-definition';

export const ACCESS_TOKEN_ISSUER = 'custos';
const AUDIENCE = 'custos-api';

export interface AccessTokenClaims {
  userId: string;
  accountId: string;
}

/** Short-lived HS256 access tokens for one account, issued at login. */
@Injectable()
export class AccessTokenService {
  private readonly key: Uint8Array;

  constructor(
    @Inject(IDENTITY_MODULE_OPTIONS) private readonly options: IdentityModuleOptions,
    private readonly clock: Clock,
  ) {
    this.key = new Uint8Array(options.tokenSigningKey);
  }

  get ttlSeconds(): number {
    return this.options.tokenTtlSeconds ?? 900;
  }

  issue(claims: AccessTokenClaims): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({ acc: claims.accountId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(claims.userId)
      .setJti(newId())
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .sign(this.key);
  }

  /** The claims of a valid token; `null` for anything else (bad signature, expired, wrong alg). */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: AUDIENCE,
        currentDate: this.clock.now(),
        requiredClaims: ['exp', 'sub'],
      });
      const accountId = payload.acc;
      if (typeof payload.sub !== 'string' || typeof accountId !== 'string') {
        return null;
      }
      return { userId: payload.sub, accountId };
    } catch {
      return null;
    }
  }
}
