import { Injectable } from '@nestjs/common';
import { In, IsNull, Not } from 'typeorm';
import { AccessService, DelegationCheck, Role, assertWithinCeiling } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  actsThroughMembership,
  type Actor,
} from '@custos/core';
import {
  AccessTokenService,
  Account,
  Membership,
  PartnerAccessTerm,
  User,
  membershipStatusAt,
  userActor,
} from '@custos/identity';
import { PartnerEmployee } from '../firms/partner-employee.entity';
import { PartnersErrors } from '../partners.errors';
import { PartnerSeats } from '../seats/partner-seats';
import { eachAccount, type BulkOutcome } from './each-account';
import { assignRole, insertPartnerMembership } from '../admins/partner-membership';

/** What adding a member to an account takes (identity's `POST /users` asks the same). */
const ADD_MEMBERS_PRIVILEGE = 'manage_users';

/** A customer account a partner admin administers. */
export interface PartnerAccountView {
  accountId: string;
  name: string;
  accessExpiresAt: Date | null;
}

/**
 * Several customer accounts at once, for a partner admin (HubSpot's partner account switcher):
 * the accounts they administer, a token for the chosen one (the same tokens sign-in issues, so
 * every rule of the sign-in applies), and actions applied across accounts — each account in its
 * own transaction as the partner admin there, all or nothing per account, one result each.
 */
@Injectable()
export class PartnerAccounts {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly tokens: AccessTokenService,
    private readonly terms: PartnerAccessTerm,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly seats: PartnerSeats,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The accounts the acting person administers as a partner admin, by name. */
  async list(): Promise<PartnerAccountView[]> {
    const userId = this.person().userId;
    const now = this.clock.now();
    // Past its end (no auto-extension), an access is over even before a request or the sweep
    // marks it: the customer's name is no longer the partner's to see.
    const places = (await this.places(userId)).filter(
      (m) => membershipStatusAt(m, now) === 'active',
    );
    const accounts = await this.transactions.manager.find(Account, {
      where: { id: In(places.map((m) => m.accountId)) },
      order: { name: 'ASC', id: 'ASC' },
    });
    const endOf = new Map(places.map((m) => [m.accountId, m.partnerAccessExpiresAt]));
    return accounts.map((a) => ({
      accountId: a.id,
      name: a.name,
      accessExpiresAt: endOf.get(a.id) ?? null,
    }));
  }

  /** A token for one of those accounts (404 for any other; 401-like refusal when expired). */
  async switchTo(accountId: string): Promise<{
    accessToken: string;
    tokenType: 'Bearer';
    expiresIn: number;
    accountId: string;
  }> {
    const userId = this.person().userId;
    const place = await this.placeIn(accountId, userId);
    const user = await this.transactions.manager.findOneByOrFail(User, { id: userId });
    const accessToken = await this.tokens.issue({
      userId,
      accountId,
      userGeneration: user.credentialGeneration,
      membership: { id: place.id, generation: place.credentialGeneration },
    });
    await this.audit.record({
      accountId,
      actor: userActor(user, place),
      action: 'auth.partner_account_switched',
      targetType: 'user',
      targetId: userId,
      metadata: {},
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.tokens.ttlSeconds, accountId };
  }

  /**
   * Adds an employee of the partner admin's own firm to each account with the role of that name
   * there, where they may add users (`manage_users`, as `POST /users` asks) — never beyond the
   * partner admin's own access: the grant ceiling and the delegation check of that account. The
   * employee joins as a member of the firm (a partner seat, no partner-admin set). Each account
   * commits or rolls back alone.
   */
  async addEmployeeEverywhere(input: {
    accountIds: readonly string[];
    userId: string;
    roleName: string;
  }): Promise<BulkOutcome[]> {
    const me = this.person();
    return eachAccount(input.accountIds, async (accountId) => {
      const place = await this.placeIn(accountId, me.userId);
      const user = await this.transactions.manager.findOneByOrFail(User, { id: me.userId });
      await this.context.runAs(userActor(user, place), () =>
        this.addEmployee(accountId, place, input.userId, input.roleName),
      );
    });
  }

  private async addEmployee(
    accountId: string,
    mine: Membership,
    userId: string,
    roleName: string,
  ): Promise<void> {
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      // What `POST /users` asks of anyone adding a member: a firm employee holding only a
      // narrow role, or a partner admin whose set the customer trimmed, adds nobody.
      if (!(await this.access.hasPrivilege(this.context.requireActor(), ADD_MEMBERS_PRIVILEGE))) {
        throw PartnersErrors.privilegeRequired(ADD_MEMBERS_PRIVILEGE);
      }
      const employee = await manager.findOneBy(PartnerEmployee, { userId });
      if (!employee || employee.firmId !== mine.partnerFirmId) {
        throw PartnersErrors.otherFirm('userId');
      }
      const role = await manager.findOneBy(Role, { accountId, name: roleName });
      if (!role) {
        throw CustosError.invalidField(
          'partners.unknown_role',
          'roleName',
          'no role of this name in the account',
        );
      }
      assertWithinCeiling(
        await this.access.build(this.context.requireActor()),
        role.privileges,
        role.taskPrivileges,
        'role.',
      );
      if (await manager.existsBy(Membership, { accountId, userId })) {
        throw PartnersErrors.alreadyMember();
      }
      await this.seats.claim(accountId);
      await insertPartnerMembership(manager, {
        accountId,
        userId,
        firmId: employee.firmId,
        expiresAt: mine.partnerAccessExpiresAt,
        extendDays: mine.partnerAccessExtendDays,
        now: this.clock.now(),
      });
      await assignRole(manager, accountId, role.id, userId);
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'partner_admin.added',
        targetType: 'user',
        targetId: userId,
        metadata: { partnerFirmId: employee.firmId, via: 'partner_admin', roleId: role.id },
      });
    }, 'userId');
  }

  /** The person's active, unexpired partner membership of the account; 404 otherwise. */
  private async placeIn(accountId: string, userId: string): Promise<Membership> {
    const place = await this.transactions.manager.findOneBy(Membership, {
      accountId,
      userId,
      status: 'active',
      partnerFirmId: Not(IsNull()),
    });
    if (!place || !(await this.terms.admits(place))) {
      throw PartnersErrors.partnerAdminNotFound();
    }
    return place;
  }

  private places(userId: string): Promise<Membership[]> {
    return this.transactions.manager.findBy(Membership, {
      userId,
      status: 'active',
      partnerFirmId: Not(IsNull()),
    });
  }

  private person(): Actor & { readonly userId: string } {
    const actor = this.context.requireActor();
    if (!actsThroughMembership(actor)) {
      throw new CustosError(
        'forbidden',
        'partners.people_only',
        'Only people manage partner accounts.',
      );
    }
    return actor;
  }
}
