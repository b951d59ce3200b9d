import { Inject, Injectable } from '@nestjs/common';
import { ThrottleStore, throttleKey } from '@custos/core';
import { IDENTITY_MODULE_OPTIONS, type IdentityModuleOptions } from '../identity.module-definition';
import { IdentityErrors } from '../identity.errors';

/**
 * Counts failed sign-ins per login email and per client IP in fixed windows; once either limit
 * is reached, further attempts are refused with 429 before the password is even checked. The
 * counters live in the `ThrottleStore` of `CoreModule`: this process by default, shared by every
 * instance when the host gives a shared store (the reference server's Redis).
 */
@Injectable()
export class LoginThrottle {
  private readonly maxPerEmail: number;
  private readonly maxPerIp: number;
  private readonly windowMs: number;

  constructor(
    @Inject(IDENTITY_MODULE_OPTIONS) options: IdentityModuleOptions,
    private readonly store: ThrottleStore,
  ) {
    this.maxPerEmail = options.loginThrottle?.maxFailuresPerEmail ?? 5;
    this.maxPerIp = options.loginThrottle?.maxFailuresPerIp ?? 20;
    this.windowMs = (options.loginThrottle?.windowSeconds ?? 900) * 1000;
  }

  /** Throws `rate_limited` when the email or the IP has used up its failures. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    for (const [key, max] of [
      [emailKey(email), this.maxPerEmail],
      [ipKey(ip), this.maxPerIp],
    ] as const) {
      const window = await this.store.peek(key);
      if (window && window.count >= max) {
        throw IdentityErrors.tooManyAttempts(Math.max(1, Math.ceil(window.resetInMs / 1000)));
      }
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await this.store.hit(emailKey(email), this.windowMs);
    await this.store.hit(ipKey(ip), this.windowMs);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.store.reset(emailKey(email));
  }
}

const emailKey = (email: string) => throttleKey('login:email', email);
const ipKey = (ip: string) => throttleKey('login:ip', ip);
