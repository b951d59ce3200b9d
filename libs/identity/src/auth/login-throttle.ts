import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@custos/core';
import { IDENTITY_MODULE_OPTIONS, type IdentityModuleOptions } from '../identity.module-definition';
import { IdentityErrors } from '../identity.errors';

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts failed sign-ins per login email and per client IP in fixed windows; once either limit
 * is reached, further attempts are refused with 429 before the password is even checked.
 * Counters live in this process (one server instance); see the README for several instances.
 */
@Injectable()
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly maxPerEmail: number;
  private readonly maxPerIp: number;
  private readonly windowMs: number;

  constructor(
    @Inject(IDENTITY_MODULE_OPTIONS) options: IdentityModuleOptions,
    private readonly clock: Clock,
  ) {
    this.maxPerEmail = options.loginThrottle?.maxFailuresPerEmail ?? 5;
    this.maxPerIp = options.loginThrottle?.maxFailuresPerIp ?? 20;
    this.windowMs = (options.loginThrottle?.windowSeconds ?? 900) * 1000;
  }

  /** Throws `rate_limited` when the email or the IP has used up its failures. */
  assertAllowed(email: string, ip: string): void {
    const now = this.clock.now().getTime();
    for (const [key, max] of [
      [`email:${email}`, this.maxPerEmail],
      [`ip:${ip}`, this.maxPerIp],
    ] as const) {
      const window = this.current(key, now);
      if (window && window.failures >= max) {
        throw IdentityErrors.tooManyAttempts(
          Math.ceil((window.startedAt + this.windowMs - now) / 1000),
        );
      }
    }
  }

  recordFailure(email: string, ip: string): void {
    const now = this.clock.now().getTime();
    for (const key of [`email:${email}`, `ip:${ip}`]) {
      const window = this.current(key, now) ?? { startedAt: now, failures: 0 };
      window.failures += 1;
      this.windows.set(key, window);
    }
    this.evictExpired(now);
  }

  recordSuccess(email: string): void {
    this.windows.delete(`email:${email}`);
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    return window && now - window.startedAt < this.windowMs ? window : undefined;
  }

  /** Keeps memory bounded under a spray of distinct emails or addresses. */
  private evictExpired(now: number): void {
    if (this.windows.size < 10_000) {
      return;
    }
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) {
        this.windows.delete(key);
      }
    }
  }
}
