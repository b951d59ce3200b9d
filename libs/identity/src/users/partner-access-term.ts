import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AccessService } from '@custos/access';
import { AuditService } from '@custos/audit';
import { Clock, TransactionHost, systemActor } from '@custos/core';
import { Membership, type MembershipStatus } from './membership.entity';

const DAY_MS = 86_400_000;
const RETURNED = 'RETURNING id';
/** Ends a partner admin's access whose time is up; matches once, so the end is audited once. */
const EXPIRE_SQL = `UPDATE identity_membership SET status = 'deactivated', credential_generation = credential_generation + 1, updated_at = $1
  WHERE id = $2 AND status = 'active' AND partner_firm_id IS NOT NULL AND partner_access_expires_at IS NOT NULL AND partner_access_expires_at <= $1 ${RETURNED}`;
/** Moves an auto-extended access on from the end that was read; matches once per end. */
const EXTEND_SQL = `UPDATE identity_membership SET partner_access_expires_at = $1, updated_at = $2
  WHERE id = $3 AND status = 'active' AND partner_access_expires_at = $4 ${RETURNED}`;

/** The partner-admin columns of a membership, as read at sign-in. */
export type PartnerTerm = Pick<
  Membership,
  | 'id'
  | 'accountId'
  | 'userId'
  | 'partnerFirmId'
  | 'partnerAccessExpiresAt'
  | 'partnerAccessExtendDays'
>;

/** Memberships {@link PartnerAccessTerm.expireDue} ends or extends per call. */
const DUE_BATCH = 500;

/**
 * Port: told, in the ending transaction, when a partner admin's time-bound access has ended —
 * once per end. `@custos/partners` provides it (to tell the partner firm); identity knows no firms.
 */
export interface PartnerAccessExpiryListener {
  expired(term: PartnerTerm): Promise<void>;
}

export const PARTNER_ACCESS_EXPIRY = Symbol('custos:partner-access-expiry');

/**
 * The status to show for a membership at `now`: an active partner membership past its end
 * without auto-extension is `deactivated` already, before a request or the sweep marks it.
 */
export function membershipStatusAt(
  membership: Pick<
    Membership,
    'status' | 'partnerFirmId' | 'partnerAccessExpiresAt' | 'partnerAccessExtendDays'
  >,
  now: Date,
): MembershipStatus {
  const end = membership.partnerAccessExpiresAt;
  const extends_ = (membership.partnerAccessExtendDays ?? 0) > 0;
  return membership.status === 'active' &&
    membership.partnerFirmId !== null &&
    end !== null &&
    end.getTime() <= now.getTime() &&
    !extends_
    ? 'deactivated'
    : membership.status;
}

/**
 * Time-bound partner access (after Microsoft GDAP): checked on every request of a partner admin,
 * and swept by {@link expireDue} (which `@custos/partners` schedules). When the access has come
 * to its end it is extended (auto-extension) or ended — the membership deactivated and its
 * tokens killed, the {@link PartnerAccessExpiryListener} told — and either is audited once, by
 * whichever request or sweep wins the conditional update.
 */
@Injectable()
export class PartnerAccessTerm implements OnModuleInit {
  private listener: PartnerAccessExpiryListener | null = null;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    try {
      this.listener = this.moduleRef.get<PartnerAccessExpiryListener>(PARTNER_ACCESS_EXPIRY, {
        strict: false,
      });
    } catch {
      this.listener = null;
    }
  }

  /**
   * Ends (or extends) the partner accesses whose end has passed, up to 500 per call, each in its
   * own transaction through {@link admits}; answers how many it handled.
   */
  async expireDue(): Promise<number> {
    const due = await this.transactions.manager
      .createQueryBuilder(Membership, 'm')
      .where("m.status = 'active'")
      .andWhere('m.partnerFirmId IS NOT NULL')
      .andWhere('m.partnerAccessExpiresAt <= :now', { now: this.clock.now().toISOString() })
      .orderBy('m.partnerAccessExpiresAt', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .take(DUE_BATCH)
      .getMany();
    for (const term of due) {
      await this.admits(term);
    }
    return due.length;
  }

  /** Whether the membership may act now; `true` for every membership that is not a partner's. */
  async admits(term: PartnerTerm): Promise<boolean> {
    const end = term.partnerAccessExpiresAt;
    const now = this.clock.now();
    if (term.partnerFirmId === null || end === null || end.getTime() > now.getTime()) {
      return true;
    }
    const days = term.partnerAccessExtendDays;
    return this.transactions.run(async () => {
      if (days !== null && days > 0) {
        const next = new Date(now.getTime() + days * DAY_MS);
        const won = await this.transactions.queryPrepared('identity_partner_extend', EXTEND_SQL, [
          next.toISOString(),
          now.toISOString(),
          term.id,
          end.toISOString(),
        ]);
        if (won.length > 0) {
          await this.record(term, 'partner_access.extended', { expiresAt: next.toISOString() });
        }
        return true;
      }
      const won = await this.transactions.queryPrepared('identity_partner_expire', EXPIRE_SQL, [
        now.toISOString(),
        term.id,
      ]);
      if (won.length > 0) {
        // Their team mates' reach changes with them (as with any deactivation).
        await this.access.bump(term.accountId);
        await this.record(term, 'partner_access.expired', { expiredAt: end.toISOString() });
        await this.listener?.expired(term);
      }
      return false;
    });
  }

  private async record(
    term: PartnerTerm,
    action: string,
    metadata: Record<string, string>,
  ): Promise<void> {
    await this.audit.record({
      accountId: term.accountId,
      actor: systemActor(term.accountId),
      action,
      targetType: 'user',
      targetId: term.userId,
      metadata: { partnerFirmId: term.partnerFirmId, ...metadata },
    });
  }
}
