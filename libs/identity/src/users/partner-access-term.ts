import { Injectable } from '@nestjs/common';
import { AccessService } from '@custos/access';
import { AuditService } from '@custos/audit';
import { Clock, TransactionHost, systemActor } from '@custos/core';
import type { Membership } from './membership.entity';

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

/**
 * Time-bound partner access (after Microsoft GDAP): checked on every request of a partner admin.
 * When the access has come to its end it is extended (auto-extension) or ended — the membership
 * deactivated and its tokens killed — and either is audited once, by whichever request wins the
 * conditional update.
 */
@Injectable()
export class PartnerAccessTerm {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

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
