import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Clock, CustosError } from '@custos/core';
import { FORMS_MODULE_OPTIONS, type FormsModuleOptions } from './forms.module-definition';

interface Window {
  startedAt: number;
  count: number;
}

/** Windows kept before expired ones are swept (bounds memory under a spray of addresses). */
const SWEEP_THRESHOLD = 10_000;

/**
 * Counts public form submissions per client IP in fixed windows; once the limit is reached,
 * further submissions get 429 with `Retry-After` until the window ends. A guard on the route, so
 * a throttled request is refused before its body (up to several files) is read. Counters live in
 * this process, like the sign-in throttle.
 */
@Injectable()
export class FormSubmissionThrottle implements CanActivate {
  private readonly windows = new Map<string, Window>();
  private readonly max: number;
  private readonly windowMs: number;

  constructor(
    @Inject(FORMS_MODULE_OPTIONS) options: FormsModuleOptions,
    private readonly clock: Clock,
  ) {
    this.max = options.maxSubmissionsPerIp ?? 10;
    this.windowMs = (options.submissionWindowSeconds ?? 60) * 1000;
  }

  canActivate(context: ExecutionContext): boolean {
    this.take(context.switchToHttp().getRequest<Request>().ip ?? 'unknown');
    return true;
  }

  /** Counts one submission from `ip`; throws `rate_limited` when its window is used up. */
  take(ip: string): void {
    const now = this.clock.now().getTime();
    let window = this.windows.get(ip);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.sweep(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(ip, window);
    }
    if (window.count >= this.max) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((window.startedAt + this.windowMs - now) / 1000),
      );
      throw new CustosError(
        'rate_limited',
        'crm.form_submissions_throttled',
        `Too many form submissions from this address. Retry in ${retryAfterSeconds} seconds.`,
        { retryAfterSeconds },
      );
    }
    window.count += 1;
  }

  private sweep(now: number): void {
    if (this.windows.size < SWEEP_THRESHOLD) {
      return;
    }
    for (const [ip, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) {
        this.windows.delete(ip);
      }
    }
  }
}
