import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Approvals, type ApprovalKind, type ApprovalView } from '@custos/approvals';
import { AccessService } from '@custos/access';
import { TransactionHost, isMemberInPerson, isSuperAdminInPerson, type Actor } from '@custos/core';
import { Membership, PrivilegeHolders } from '@custos/identity';
import { In, IsNull } from 'typeorm';
import { PartnerAdmins } from '../admins/partner-admins';
import { PartnersErrors } from '../partners.errors';
import { PartnerLinkRequest } from './partner-link-request.entity';

/** The approval kind of partner access links. */
export const PARTNER_LINK_APPROVAL_KIND = 'partner_link';

/** Customers approve links: super admins, and members allowed to add and edit users. */
const LINK_APPROVER_PRIVILEGE = 'manage_users';

/**
 * Access links in the approval engine. The requester is the partner employee, an outsider to
 * the customer account (`externalRequesters`); approvers are the account's super admins and
 * members holding `manage_users`, in person (never a partner admin). Approved, the employee
 * becomes a partner admin in the approval's transaction — if their link is still the current one
 * and they are still employed; otherwise the approval rolls back with 404.
 */
@Injectable()
export class PartnerLinkApprovalKind implements ApprovalKind, OnModuleInit {
  readonly name = PARTNER_LINK_APPROVAL_KIND;
  readonly externalRequesters = true;

  constructor(
    private readonly approvals: Approvals,
    private readonly transactions: TransactionHost,
    private readonly holders: PrivilegeHolders,
    private readonly access: AccessService,
    private readonly admins: PartnerAdmins,
  ) {}

  onModuleInit(): void {
    this.approvals.register(this);
  }

  async approvers(accountId: string): Promise<string[]> {
    const holders = await this.holders.userIds(accountId, LINK_APPROVER_PRIVILEGE);
    if (holders.length === 0) {
      return [];
    }
    // Partner admins hold `manage_users` through their set, but never approve partners.
    const members = await this.transactions.manager.findBy(Membership, {
      accountId,
      userId: In(holders),
      partnerFirmId: IsNull(),
    });
    return members.map((m) => m.userId);
  }

  async mayDecide(actor: Actor): Promise<boolean> {
    return (
      isSuperAdminInPerson(actor) ||
      (isMemberInPerson(actor) && (await this.access.hasPrivilege(actor, LINK_APPROVER_PRIVILEGE)))
    );
  }

  async settled(request: ApprovalView): Promise<void> {
    if (request.state !== 'approved') {
      return;
    }
    const row = await this.transactions.manager.findOneByOrFail(PartnerLinkRequest, {
      approvalId: request.id,
      accountId: request.accountId,
    });
    const employee = await this.admins.lockedEmployee(row.employeeUserId);
    if (!employee || employee.linkGeneration !== row.linkGeneration) {
      throw PartnersErrors.linkNotValid();
    }
    await this.admins.admitThroughLink(request.accountId, employee, {
      days: row.accessDays,
      autoExtend: row.autoExtend,
    });
  }
}
