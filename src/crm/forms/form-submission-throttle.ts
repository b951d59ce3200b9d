import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ThrottleStore, throttleKey } from '@custos/core';
import { FORMS_MODULE_OPTIONS, type FormsModuleOptions } from './forms.module-definition';
import { formErrors } from './forms.errors';

/**
 * Counts public form submissions per client IP in fixed windows; once the limit is reached,
 * further submissions get 429 with `Retry-After` until the window ends. A guard on the route, so
 * a throttled request is refused before its body (up to several files) is read. The counters
 * live in the `ThrottleStore` of `CoreModule`: shared by every instance when Redis is configured.
 */
@Injectable()
export class FormSubmissionThrottle implements CanActivate {
  private readonly max: number;
  private readonly windowMs: number;

  constructor(
    @Inject(FORMS_MODULE_OPTIONS) options: FormsModuleOptions,
    private readonly store: ThrottleStore,
  ) {
    this.max = options.maxSubmissionsPerIp ?? 10;
    this.windowMs = (options.submissionWindowSeconds ?? 60) * 1000;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.take(context.switchToHttp().getRequest<Request>().ip ?? 'unknown');
    return true;
  }

  /** Counts one submission from `ip`; throws `rate_limited` when its window is used up. */
  async take(ip: string): Promise<void> {
    const window = await this.store.hit(throttleKey('form-submission:ip', ip), this.windowMs);
    if (window.count > this.max) {
      const retryAfterSeconds = Math.max(1, Math.ceil(window.resetInMs / 1000));
      throw formErrors.throttled(retryAfterSeconds);
    }
  }
}
