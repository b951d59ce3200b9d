import { createHmac, timingSafeEqual } from 'node:crypto';
import { Clock, deriveKey } from '@custos/core';
import { Inject, Injectable } from '@nestjs/common';
import { CONSENT_CHANNELS, type ConsentChannel } from '../consent.types';
import { ConsentErrors } from '../consent.errors';
import {
  CONSENT_MODULE_OPTIONS,
  DEFAULT_CONFIRMATION_HOURS,
  DEFAULT_UNSUBSCRIBE_TOKEN_DAYS,
  type ConsentModuleOptions,
} from '../consent.module-definition';

/** `u`: one-click unsubscribe and the preference page; `c`: a double opt-in confirmation of event `e`. */
export type TokenKind = 'u' | 'c';

/** What a token names: ids only, never an address. */
export interface TokenClaims {
  /** Kind. */
  k: TokenKind;
  /** Account. */
  a: string;
  /** Contact. */
  c: string;
  /** Purpose. */
  p: string;
  /** Channel. */
  ch: ConsentChannel;
  /** Issued at (ms since the epoch). */
  t: number;
  /** The pending event a confirmation confirms. */
  e?: string;
}

const ID = /^[0-9a-z-]{1,64}$/i;

function isClaims(value: unknown): value is TokenClaims {
  const claims = value as Partial<TokenClaims> | null;
  return (
    typeof claims === 'object' &&
    claims !== null &&
    (claims.k === 'u' || (claims.k === 'c' && typeof claims.e === 'string' && ID.test(claims.e))) &&
    [claims.a, claims.c, claims.p].every((id) => typeof id === 'string' && ID.test(id)) &&
    CONSENT_CHANNELS.includes(claims.ch as ConsentChannel) &&
    Number.isSafeInteger(claims.t)
  );
}

/**
 * Opaque signed tokens for links in mails: base64url of the claims, a dot, and the HMAC-SHA256
 * of that text under a key derived from the module secret. Verified in constant time; altered,
 * cut or forged tokens are a 422 naming `token`, expired ones a 410.
 */
@Injectable()
export class ConsentTokens {
  private readonly key: Buffer;
  private readonly lifetimeMs: Record<TokenKind, number>;

  constructor(
    @Inject(CONSENT_MODULE_OPTIONS) options: ConsentModuleOptions,
    private readonly clock: Clock,
  ) {
    if (!Buffer.isBuffer(options.secret) || options.secret.length < 32) {
      throw new Error(
        "ConsentModule needs `secret`: at least 32 bytes, e.g. deriveKey(masterSecret, 'custos/consent') from @custos/core.",
      );
    }
    this.key = deriveKey(options.secret, 'custos/consent-link');
    this.lifetimeMs = {
      u: (options.unsubscribeTokenDays ?? DEFAULT_UNSUBSCRIBE_TOKEN_DAYS) * 86_400_000,
      c: (options.confirmationHours ?? DEFAULT_CONFIRMATION_HOURS) * 3_600_000,
    };
  }

  issue(claims: Omit<TokenClaims, 't'>): string {
    const body = Buffer.from(
      JSON.stringify({ ...claims, t: this.clock.now().getTime() }),
      'utf8',
    ).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a token of `kind` this server issued and that has not expired. */
  verify(token: unknown, kind: TokenKind): TokenClaims {
    if (typeof token !== 'string' || token.length > 1024) {
      throw ConsentErrors.invalidToken();
    }
    const [body, signature, ...rest] = token.split('.');
    // Compared as text: base64url decoding ignores stray bits, so an altered text could decode alike.
    const expected = Buffer.from(this.sign(body ?? ''), 'utf8');
    const given = Buffer.from(signature ?? '', 'utf8');
    if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw ConsentErrors.invalidToken();
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw ConsentErrors.invalidToken();
    }
    if (!isClaims(claims) || claims.k !== kind) {
      throw ConsentErrors.invalidToken();
    }
    if (this.clock.now().getTime() - claims.t > this.lifetimeMs[kind]) {
      throw ConsentErrors.expiredToken();
    }
    return claims;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body, 'utf8').digest('base64url');
  }
}
