import { Inject, Injectable } from '@nestjs/common';
import { DelegationCheck } from '@custos/access';
import { Approvals, type ApprovalView } from '@custos/approvals';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, isMemberInPerson } from '@custos/core';
import { Membership, User, userActor } from '@custos/identity';
import { eachAccount, type BulkOutcome } from '../accounts/each-account';
import { PartnerEmployee } from '../firms/partner-employee.entity';
import { PartnerFirm } from '../firms/partner-firm.entity';
import { PARTNERS_MODULE_OPTIONS, type PartnersModuleOptions } from '../partners.module-definition';
import { PartnersErrors } from '../partners.errors';
import { readLink, signLink, verifyLink } from './access-link-signature';
import { PARTNER_LINK_APPROVAL_KIND, PartnerLinkApprovalKind } from './partner-link-approval-kind';
import { PartnerLinkRequest } from './partner-link-request.entity';

const HOUR_MS = 3_600_000;
/** Time-bound access: one day to two years. */
export const PARTNER_ACCESS_MIN_DAYS = 1;
export const PARTNER_ACCESS_MAX_DAYS = 730;

/** What a customer sees of a link before approving it. */
export interface InspectedLink {
  employee: { userId: string; email: string; displayName: string };
  firm: { id: string; name: string };
  /** Already an active partner admin of this account: approving again changes nothing. */
  alreadyPartnerAdmin: boolean;
}

/** What the customer chooses when approving. */
export interface LinkApprovalInput {
  link: string;
  /** Days of access (1–730); omitted: no end. */
  accessDays?: number;
  /** Renew the access by the same number of days when it comes to its end. Default false. */
  autoExtend?: boolean;
}

/** The result of an approval: the approval request, or none when nothing had to change. */
export interface LinkApprovalResult extends InspectedLink {
  approval: ApprovalView | null;
}

/**
 * Personal, reusable access links (as HubSpot's): each partner employee has one, signed with the
 * server's link key over their id and link generation. Regenerating raises the generation, so
 * older links stop working; leaving the firm removes the employee, so theirs does too. A customer
 * approver inspects a link and approves it through the approval engine (the employee is the
 * requester, an outsider): the employee becomes a partner admin of the approver's account.
 */
@Injectable()
export class PartnerLinks {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly approvals: Approvals,
    private readonly kind: PartnerLinkApprovalKind,
    private readonly delegation: DelegationCheck,
    @Inject(PARTNERS_MODULE_OPTIONS) private readonly options: PartnersModuleOptions,
  ) {
    if (!Buffer.isBuffer(options.linkSigningKey) || options.linkSigningKey.length < 32) {
      throw new Error(
        "PartnersModule needs linkSigningKey, at least 32 bytes: deriveKey(masterSecret, 'custos/partner-link') from @custos/core.",
      );
    }
  }

  /** The acting employee's current link (404 when they belong to no firm). */
  async mine(): Promise<{ link: string }> {
    const employee = await this.actingEmployee();
    return { link: this.sign(employee) };
  }

  /** A new link for the acting employee; every older one stops working. Audited. */
  async regenerate(): Promise<{ link: string }> {
    const employee = await this.actingEmployee();
    return this.transactions.run(async (manager) => {
      await manager.increment(PartnerEmployee, { userId: employee.userId }, 'linkGeneration', 1);
      const now = await manager.findOneByOrFail(PartnerEmployee, { userId: employee.userId });
      await this.audit.record({
        action: 'partner_link.regenerated',
        targetType: 'user',
        targetId: employee.userId,
        metadata: { linkGeneration: now.linkGeneration },
      });
      return { link: this.sign(now) };
    });
  }

  /** Who a link is for, for an approver of the actor's account (403 for others, 404 for a dead link). */
  async inspect(link: string): Promise<InspectedLink> {
    await this.requireApprover();
    return (await this.resolve(link)).inspected;
  }

  /**
   * Approves a link for the actor's account, within the grant ceiling (a non-super-admin
   * approver cannot add a partner admin holding more than they do). Idempotent: an employee who
   * is already an active partner admin here is left as is (`approval: null`).
   */
  async approve(input: LinkApprovalInput): Promise<LinkApprovalResult> {
    const actor = await this.requireApprover();
    const days = input.accessDays ?? null;
    if (
      days !== null &&
      (!Number.isInteger(days) || days < PARTNER_ACCESS_MIN_DAYS || days > PARTNER_ACCESS_MAX_DAYS)
    ) {
      throw PartnersErrors.invalidTerm('accessDays');
    }
    return this.delegation.checked(async () => {
      const { inspected, employee } = await this.resolve(input.link);
      if (inspected.alreadyPartnerAdmin) {
        return { ...inspected, approval: null };
      }
      const subjectId = `${employee.userId}.${employee.linkGeneration}`;
      const pending = (await this.approvals.forSubject(PARTNER_LINK_APPROVAL_KIND, subjectId)).find(
        (r) => r.state === 'pending',
      );
      const request =
        pending ??
        (await this.approvals.request({
          kind: PARTNER_LINK_APPROVAL_KIND,
          subjectId,
          onBehalfOf: employee.userId,
          notify: [actor.userId],
          expiresAt: new Date(
            this.clock.now().getTime() + (this.options.linkRequestHours ?? 168) * HOUR_MS,
          ),
        }));
      await this.transactions.manager.upsert(
        PartnerLinkRequest,
        {
          approvalId: request.id,
          accountId: actor.accountId,
          employeeUserId: employee.userId,
          linkGeneration: employee.linkGeneration,
          accessDays: days,
          autoExtend: days !== null && input.autoExtend === true,
        },
        ['approvalId'],
      );
      const approval = await this.approvals.approve(request.id);
      return { ...inspected, alreadyPartnerAdmin: false, approval };
    }, 'link');
  }

  /**
   * Approves the link in each of the acting person's accounts named (as a token of each would):
   * one outcome per account, all or nothing per account; 404 for an account they are not an
   * active member of, 403 where they may not approve.
   */
  async approveInAccounts(
    accountIds: readonly string[],
    input: LinkApprovalInput,
  ): Promise<BulkOutcome[]> {
    const actor = this.context.requireActor();
    if (!isMemberInPerson(actor)) {
      throw PartnersErrors.linkApproverRequired();
    }
    const manager = this.transactions.manager;
    const user = await manager.findOneByOrFail(User, { id: actor.userId });
    return eachAccount(accountIds, async (accountId) => {
      const place = await manager.findOneBy(Membership, {
        accountId,
        userId: actor.userId,
        status: 'active',
      });
      if (!place) {
        throw PartnersErrors.accountNotFound();
      }
      await this.context.runAs(userActor(user, place), () => this.approve(input));
    });
  }

  private async resolve(
    link: string,
  ): Promise<{ inspected: InspectedLink; employee: PartnerEmployee }> {
    const named = readLink(link);
    const manager = this.transactions.manager;
    const employee = named
      ? await manager.findOneBy(PartnerEmployee, { userId: named.userId })
      : null;
    // Signed for this employment: a former employee added again does not revive old links.
    const claims = employee && verifyLink(this.options.linkSigningKey, link, employee.createdAt);
    if (!claims || !employee || employee.linkGeneration !== claims.generation) {
      throw PartnersErrors.linkNotValid();
    }
    const user = await manager.findOneByOrFail(User, { id: employee.userId });
    const firm = await manager.findOneByOrFail(PartnerFirm, { id: employee.firmId });
    const place = await manager.findOneBy(Membership, {
      accountId: this.context.requireAccountId(),
      userId: employee.userId,
    });
    return {
      employee,
      inspected: {
        employee: { userId: user.id, email: user.email, displayName: user.displayName },
        firm: { id: firm.id, name: firm.name },
        alreadyPartnerAdmin: place?.status === 'active' && place.partnerFirmId === firm.id,
      },
    };
  }

  private async requireApprover() {
    const actor = this.context.requireActor();
    if (!(await this.kind.mayDecide(actor)) || actor.userId === null) {
      throw PartnersErrors.linkApproverRequired();
    }
    return { ...actor, userId: actor.userId };
  }

  private async actingEmployee(): Promise<PartnerEmployee> {
    const actor = this.context.requireActor();
    const employee = actor.userId
      ? await this.transactions.manager.findOneBy(PartnerEmployee, { userId: actor.userId })
      : null;
    if (!employee) {
      throw PartnersErrors.employeeNotFound();
    }
    return employee;
  }

  private sign(employee: PartnerEmployee): string {
    return signLink(
      this.options.linkSigningKey,
      { userId: employee.userId, generation: employee.linkGeneration },
      employee.createdAt,
    );
  }
}
