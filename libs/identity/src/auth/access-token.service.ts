import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Clock, newId } from '@custos/core';
import { SignJWT } from 'jose';
import { IDENTITY_MODULE_OPTIONS, type IdentityModuleOptions } from '../identity.module-definition';

export const ACCESS_TOKEN_ISSUER = 'custos';
const AUDIENCE = 'custos-api';
/** HMAC-SHA256 output length: every genuine signature has exactly this many bytes. */
const SIGNATURE_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Verified tokens remembered per instance: a client sends the same token until it expires. */
const VERIFIED_TOKENS_KEPT = 1000;

/**
 * What an access token says: who, in which account, and the credential generations it was issued
 * under; the per-request sign-in refuses it once either has moved on.
 */
export interface AccessTokenClaims {
  userId: string;
  accountId: string;
  /** The login's `credentialGeneration` at issue. */
  userGeneration: number;
  /** The membership acted through (its id never repeats, so a re-added person's old tokens die); absent for support sessions. */
  membership?: { id: string; generation: number };
}

/** Short-lived HS256 access tokens for one account, issued at login. */
@Injectable()
export class AccessTokenService {
  private readonly key: Uint8Array;
  /**
   * Payloads of tokens whose header and signature were verified, by token: the signature check
   * (HMAC, two base64url decodings) is the same for every request with the token. The time claims
   * are still checked per request, and rights still come from the sign-in query.
   */
  private readonly verified = new Map<string, Record<string, unknown>>();

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
    return new SignJWT({
      acc: claims.accountId,
      gen: claims.userGeneration,
      ...(claims.membership
        ? { mid: claims.membership.id, mgen: claims.membership.generation }
        : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(claims.userId)
      .setJti(newId())
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .sign(this.key);
  }

  /**
   * The claims of a valid token; `null` for anything else (bad signature, expired, wrong alg).
   * Verified here with node:crypto rather than a generic JWT library: the tokens are our own,
   * of one fixed shape, and this runs on every request.
   */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    const payload = this.verified.get(token) ?? this.verifySignature(token);
    if (!payload || !this.claimsValid(payload)) {
      return null;
    }
    return claimsOf(payload);
  }

  /** The payload of a token with our header and a valid signature (remembered), or `null`. */
  private verifySignature(token: string): Record<string, unknown> | null {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
      return null;
    }
    const [encodedHeader, encodedPayload, encodedSignature] = parts;
    const header = decodeJson(encodedHeader);
    // Only our own header: HS256, no `crit` extensions (which we would have to understand).
    if (
      !header ||
      header.alg !== 'HS256' ||
      (header.typ !== undefined && header.typ !== 'JWT') ||
      header.crit !== undefined ||
      header.b64 !== undefined
    ) {
      return null;
    }
    const signature = Buffer.from(encodedSignature, 'base64url');
    const expected = createHmac('sha256', this.key)
      .update(`${encodedHeader}.${encodedPayload}`)
      .digest();
    if (signature.length !== SIGNATURE_BYTES || !timingSafeEqual(signature, expected)) {
      return null;
    }
    const payload = decodeJson(encodedPayload);
    if (payload) {
      if (this.verified.size >= VERIFIED_TOKENS_KEPT) {
        // The oldest entry (a Map keeps insertion order): most likely an expired token.
        this.verified.delete(this.verified.keys().next().value!);
      }
      this.verified.set(token, payload);
    }
    return payload;
  }

  /** Issuer, audience and the registered time claims, as RFC 7519 §4.1 has them. */
  private claimsValid(payload: Record<string, unknown>): boolean {
    const { iss, aud, exp, nbf, iat } = payload;
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const audiences = Array.isArray(aud) ? aud : [aud];
    return (
      iss === ACCESS_TOKEN_ISSUER &&
      audiences.includes(AUDIENCE) &&
      typeof exp === 'number' &&
      exp > now &&
      (nbf === undefined || (typeof nbf === 'number' && nbf <= now)) &&
      (iat === undefined || typeof iat === 'number')
    );
  }
}

/** Our claims from a verified payload; `null` when one is missing or of the wrong type. */
function claimsOf(payload: Record<string, unknown>): AccessTokenClaims | null {
  const { sub, acc, gen, mid, mgen } = payload;
  if (typeof sub !== 'string' || typeof acc !== 'string' || !Number.isInteger(gen)) {
    return null;
  }
  const claims: AccessTokenClaims = { userId: sub, accountId: acc, userGeneration: gen as number };
  if (mid === undefined && mgen === undefined) {
    return claims;
  }
  return typeof mid === 'string' && Number.isInteger(mgen)
    ? { ...claims, membership: { id: mid, generation: mgen as number } }
    : null;
}

/** A base64url segment holding a JSON object, or `null`. */
function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
