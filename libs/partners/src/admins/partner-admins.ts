import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { AccessService } from '@custos/access';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, isSuperAdminInPerson } from '@custos/core';
import { Membership, SuperAdminInvariant, User, membershipStatusAt } from '@custos/identity';
import { PartnerEmployee } from '../firms/partner-employee.entity';
import { PartnerFirm } from '../firms/partner-firm.entity';
import { PartnersErrors } from '../partners.errors';
import { PartnerNotifications } from '../notifications/partner-notifications';
import { PartnerSeats } from '../seats/partner-seats';
import { PartnerAccessEnd } from './partner-access-end';
import { PartnerAdminSet } from './partner-admin-set';
import { insertPartnerMembership } from './partner-membership';

const DAY_MS = 86_400_000;

/** A partner admin of the account, as its administrators see them. */
export interface PartnerAdminView {
  accountId: string;
  userId: string;
  email: string;
  firm: { id: string; name: string };
  status: Membership['status'];
  accessExpiresAt: Date | null;
  autoExtendDays: number | null;
  since: Date;
}

/** How long an access lasts: `days` (1–730) or no end; auto-extension renews it by `days`. */
export interface PartnerTermInput {
  days: number | null;
  autoExtend: boolean;
}

/**
 * Partner admins of customer accounts: added through an approved access link, by migrating a
 * super admin, or by direct creation (see `PartnerAdminTemplate`); listed and ended by the
 * customer. Each addition takes a partner seat and applies the partner-admin set.
 */
@Injectable()
export class PartnerAdmins {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly seats: PartnerSeats,
    private readonly adminSet: PartnerAdminSet,
    private readonly accessEnd: PartnerAccessEnd,
    private readonly superAdmins: SuperAdminInvariant,
    private readonly notifications: PartnerNotifications,
  ) {}

  /** The partner admins of the actor's account, in user-id order. */
  async list(): Promise<PartnerAdminView[]> {
    const accountId = this.context.requireAccountId();
    const rows = await this.transactions.manager
      .createQueryBuilder(Membership, 'm')
      .innerJoinAndMapOne('m.user', User, 'u', 'u.id = m.userId')
      .innerJoinAndMapOne('m.firm', PartnerFirm, 'f', 'f.id = m.partnerFirmId')
      .where('m.accountId = :accountId', { accountId })
      .andWhere('m.partnerFirmId IS NOT NULL')
      .orderBy('m.userId', 'ASC')
      .getMany();
    const now = this.clock.now();
    return rows.map((m) => {
      const { user, firm } = m as Membership & { user: User; firm: PartnerFirm };
      return {
        userId: m.userId,
        email: user.email,
        firm: { id: firm.id, name: firm.name },
        // Past its end, not active, even before a request or the sweep marks it.
        status: membershipStatusAt(m, now),
        accessExpiresAt: m.partnerAccessExpiresAt,
        autoExtendDays: m.partnerAccessExtendDays,
        since: m.createdAt,
        accountId: m.accountId,
      };
    });
  }

  /** Ends a partner admin's access to the actor's account (404 for anyone else). */
  async end(userId: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const membership = await manager.findOneBy(Membership, {
        accountId,
        userId,
        partnerFirmId: Not(IsNull()),
      });
      if (!membership) {
        throw PartnersErrors.partnerAdminNotFound();
      }
      await this.accessEnd.end(membership, 'ended_by_customer');
    });
  }

  /**
   * Makes a super admin who is a partner employee a partner admin of the actor's account: the
   * customer's super admins for anyone (`userId`), or the person themself from the partner side.
   * Refused with 409 when no other active super admin would remain — the same invariant and
   * lock as a demotion — or when no partner seat is free.
   */
  async migrate(userId: string): Promise<PartnerAdminView> {
    const actor = this.context.requireActor();
    if (!isSuperAdminInPerson(actor)) {
      throw PartnersErrors.notMigratable();
    }
    const accountId = actor.accountId;
    await this.transactions.run(async (manager) => {
      // The administrative lock first (as every administrative change), then the account's.
      await this.access.lock(accountId);
      const membership = await manager.findOneBy(Membership, { accountId, userId });
      if (!membership?.superAdmin || membership.status !== 'active' || membership.partnerFirmId) {
        throw PartnersErrors.notMigratable();
      }
      const employee = await this.lockedEmployee(userId);
      if (!employee) {
        throw PartnersErrors.notEmployee('userId');
      }
      await this.superAdmins.assertAnotherRemains(membership);
      await this.seats.claim(accountId);
      const now = this.clock.now();
      // Losing super admin ends the person's tokens, as a demotion does.
      await manager.update(
        Membership,
        { id: membership.id },
        {
          superAdmin: false,
          partnerFirmId: employee.firmId,
          partnerAccessExpiresAt: null,
          partnerAccessExtendDays: null,
          credentialGeneration: membership.credentialGeneration + 1,
          updatedAt: now,
        },
      );
      await this.adminSet.apply(accountId, userId);
      await this.audit.record({
        action: 'user.super_admin_revoked',
        targetType: 'user',
        targetId: userId,
        metadata: { reason: 'partner_migration' },
      });
      await this.audit.record({
        action: 'partner_admin.migrated',
        targetType: 'user',
        targetId: userId,
        metadata: { partnerFirmId: employee.firmId, self: actor.userId === userId },
      });
      await this.notifications.accessChanged(employee.firmId, accountId, userId, 'migrated');
    });
    return this.view(accountId, userId);
  }

  /**
   * Adds the employee as a partner admin of `accountId` with the term given, in the caller's
   * transaction (an approved access link). Idempotent: one who is already this firm's active
   * partner admin there is left as is; a deactivated (expired) one is reactivated with the new
   * term. A member of another kind is refused (409).
   */
  async admitThroughLink(
    accountId: string,
    employee: PartnerEmployee,
    term: PartnerTermInput,
  ): Promise<void> {
    const manager = this.transactions.manager;
    await this.access.lock(accountId);
    const existing = await manager.findOneBy(Membership, { accountId, userId: employee.userId });
    const now = this.clock.now();
    const columns = {
      partnerFirmId: employee.firmId,
      partnerAccessExpiresAt:
        term.days === null ? null : new Date(now.getTime() + term.days * DAY_MS),
      partnerAccessExtendDays: term.autoExtend ? term.days : null,
    };
    if (existing) {
      if (existing.partnerFirmId !== employee.firmId) {
        throw PartnersErrors.alreadyMember();
      }
      if (existing.status === 'active') {
        return;
      }
      await manager.update(
        Membership,
        { id: existing.id },
        { ...columns, status: 'active', updatedAt: now },
      );
      await this.access.bump(accountId);
    } else {
      await this.seats.claim(accountId);
      await insertPartnerMembership(manager, {
        accountId,
        userId: employee.userId,
        firmId: employee.firmId,
        expiresAt: columns.partnerAccessExpiresAt,
        extendDays: columns.partnerAccessExtendDays,
        now,
      });
      await this.adminSet.apply(accountId, employee.userId);
    }
    await this.audit.record({
      action: 'partner_admin.added',
      targetType: 'user',
      targetId: employee.userId,
      metadata: {
        partnerFirmId: employee.firmId,
        via: 'access_link',
        accessExpiresAt: columns.partnerAccessExpiresAt?.toISOString() ?? null,
        autoExtendDays: columns.partnerAccessExtendDays,
      },
    });
    await this.notifications.accessChanged(
      employee.firmId,
      accountId,
      employee.userId,
      'link_approved',
    );
  }

  /**
   * The employee row, locked for the rest of the transaction on PostgreSQL: a removal from the
   * firm racing with an addition runs before or after it, never between its check and its write.
   */
  async lockedEmployee(userId: string): Promise<PartnerEmployee | null> {
    const query = this.transactions.manager
      .createQueryBuilder(PartnerEmployee, 'e')
      .where('e.userId = :userId', { userId });
    if (this.transactions.isPostgres) {
      query.setLock('pessimistic_write');
    }
    return query.getOne();
  }

  private async view(accountId: string, userId: string): Promise<PartnerAdminView> {
    const found = (await this.list()).find((p) => p.accountId === accountId && p.userId === userId);
    if (!found) {
      throw PartnersErrors.partnerAdminNotFound();
    }
    return found;
  }
}
