import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { RequestContext, TransactionHost, isPartnerAdmin } from '@custos/core';
import { Membership, type MemberTemplate, type User } from '@custos/identity';
import { PartnerNotifications } from '../notifications/partner-notifications';
import { PartnersErrors } from '../partners.errors';
import { PartnerSeats } from '../seats/partner-seats';
import { PartnerAdminSet } from './partner-admin-set';
import { PartnerAdmins } from './partner-admins';

/** The template name user creation offers for partner admins. */
export const PARTNER_ADMIN_TEMPLATE = 'partner_admin';

/**
 * Direct creation (`POST /users` with `template: "partner_admin"`): offered only for a partner
 * employee, when the account has a free partner seat — 422 naming why otherwise. A partner admin
 * adding someone may add only their own firm's employees. The creation itself stays identity's
 * (and its delegation check: nobody adds a partner admin holding more than they do).
 */
@Injectable()
export class PartnerAdminTemplate implements MemberTemplate {
  readonly name = PARTNER_ADMIN_TEMPLATE;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly admins: PartnerAdmins,
    private readonly seats: PartnerSeats,
    private readonly adminSet: PartnerAdminSet,
    private readonly notifications: PartnerNotifications,
  ) {}

  async admit(
    accountId: string,
    login: User | null,
  ): Promise<
    Pick<Membership, 'partnerFirmId' | 'partnerAccessExpiresAt' | 'partnerAccessExtendDays'>
  > {
    const employee = login ? await this.admins.lockedEmployee(login.id) : null;
    if (!employee) {
      throw PartnersErrors.notEmployee('email');
    }
    const actor = this.context.requireActor();
    if (isPartnerAdmin(actor)) {
      const mine = await this.transactions.manager.findOneBy(Membership, {
        accountId,
        userId: actor.userId ?? '',
      });
      if (mine?.partnerFirmId !== employee.firmId) {
        throw PartnersErrors.otherFirm('email');
      }
    }
    if (!(await this.seats.hasFreeSeat(accountId))) {
      throw PartnersErrors.noFreeSeatTemplate();
    }
    return {
      partnerFirmId: employee.firmId,
      partnerAccessExpiresAt: null,
      partnerAccessExtendDays: null,
    };
  }

  async applied(membership: Membership): Promise<void> {
    const firmId = membership.partnerFirmId!;
    await this.adminSet.apply(membership.accountId, membership.userId);
    await this.audit.record({
      action: 'partner_admin.added',
      targetType: 'user',
      targetId: membership.userId,
      metadata: { partnerFirmId: firmId, via: 'direct_creation' },
    });
    await this.notifications.accessChanged(
      firmId,
      membership.accountId,
      membership.userId,
      'created',
    );
  }
}
