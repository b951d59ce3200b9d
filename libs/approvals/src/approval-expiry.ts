import { Jobs } from '@custos/core';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  APPROVALS_MODULE_OPTIONS,
  type ApprovalsModuleOptions,
} from './approvals.module-definition';
import { Approvals } from './approvals.service';

/** Name of the schedule that expires pending requests whose time is up. */
export const APPROVAL_EXPIRY_SCHEDULE = 'approvals.expire';

/** Registers the expiry schedule on core's `Jobs` (unless `expireEverySeconds` is 0). */
@Injectable()
export class ApprovalExpiry implements OnModuleInit {
  constructor(
    private readonly jobs: Jobs,
    private readonly approvals: Approvals,
    @Inject(APPROVALS_MODULE_OPTIONS) private readonly options: ApprovalsModuleOptions,
  ) {}

  onModuleInit(): void {
    const everySeconds = this.options.expireEverySeconds ?? 60;
    if (everySeconds === 0) {
      return;
    }
    this.jobs.schedule({
      name: APPROVAL_EXPIRY_SCHEDULE,
      everySeconds,
      process: async () => {
        await this.approvals.expireDue();
      },
    });
  }
}
