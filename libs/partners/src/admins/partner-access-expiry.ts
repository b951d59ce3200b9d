import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Jobs } from '@custos/core';
import {
  PartnerAccessTerm,
  type PartnerAccessExpiryListener,
  type PartnerTerm,
} from '@custos/identity';
import { PartnerNotifications } from '../notifications/partner-notifications';
import { PARTNERS_MODULE_OPTIONS, type PartnersModuleOptions } from '../partners.module-definition';

/** Name of the schedule that ends the partner accesses whose end has passed. */
export const PARTNER_ACCESS_EXPIRY_SCHEDULE = 'partners.expire_access';

/**
 * The end of time-bound partner access, partners' side: identity ends it (at the partner admin's
 * next request, or in this sweep) and tells this listener once, in the ending transaction; the
 * firm's admins are then notified as of any other end.
 */
@Injectable()
export class PartnerAccessExpiry implements PartnerAccessExpiryListener, OnModuleInit {
  constructor(
    private readonly jobs: Jobs,
    private readonly terms: PartnerAccessTerm,
    private readonly notifications: PartnerNotifications,
    @Inject(PARTNERS_MODULE_OPTIONS) private readonly options: PartnersModuleOptions,
  ) {}

  onModuleInit(): void {
    const everySeconds = this.options.expireEverySeconds ?? 60;
    if (everySeconds === 0) {
      return;
    }
    this.jobs.schedule({
      name: PARTNER_ACCESS_EXPIRY_SCHEDULE,
      everySeconds,
      process: async () => {
        await this.terms.expireDue();
      },
    });
  }

  async expired(term: PartnerTerm): Promise<void> {
    if (term.partnerFirmId !== null) {
      await this.notifications.accessChanged(
        term.partnerFirmId,
        term.accountId,
        term.userId,
        'expired',
      );
    }
  }
}
