import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost } from '@custos/core';
import { Membership, lockAccount } from '@custos/identity';
import { PartnersErrors } from '../partners.errors';
import { PartnerSeat, type PartnerSeatType } from './partner-seat.entity';

/** An account's partner seats: how many it has, how many partner admins take. */
export interface SeatCount {
  seatType: PartnerSeatType;
  seats: number;
  used: number;
}

/**
 * Partner seats per customer account. Every partner membership (active or deactivated, until the
 * relationship ends) takes a seat; a new one is admitted only under the account lock, so two
 * admissions racing for the last seat run one after the other and the second is refused.
 */
@Injectable()
export class PartnerSeats {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The actor's account's seats of the type. */
  async count(seatType: PartnerSeatType = 'partner'): Promise<SeatCount> {
    const accountId = this.context.requireAccountId();
    return {
      seatType,
      seats: await this.seatsOf(accountId, seatType),
      used: await this.used(accountId),
    };
  }

  /** Sets the number of seats (super admins); never below the seats in use (409). Audited. */
  async set(seatType: PartnerSeatType, seats: number): Promise<SeatCount> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      await lockAccount(manager, accountId);
      const used = await this.used(accountId);
      if (seats < used) {
        throw PartnersErrors.seatsInUse(used);
      }
      const before = await this.seatsOf(accountId, seatType);
      await manager.upsert(
        PartnerSeat,
        { accountId, seatType, seats, updatedAt: this.clock.now() },
        ['accountId', 'seatType'],
      );
      await this.audit.record({
        action: 'partner_seats.updated',
        targetType: 'partner_seat',
        targetId: seatType,
        metadata: { before: { seats: before }, after: { seats } },
      });
      return { seatType, seats, used };
    });
  }

  /**
   * Whether the account has a free `partner` seat now. Takes the account lock (it must run in
   * the transaction that then adds the partner admin), so the answer holds until commit.
   */
  async hasFreeSeat(accountId: string): Promise<boolean> {
    if (!this.transactions.inTransaction) {
      throw new Error('PartnerSeats.hasFreeSeat must run inside a transaction.');
    }
    await lockAccount(this.transactions.manager, accountId);
    return (await this.used(accountId)) < (await this.seatsOf(accountId, 'partner'));
  }

  /** Like {@link hasFreeSeat}, refusing with 409 `partners.no_free_seat`. */
  async claim(accountId: string): Promise<void> {
    if (!(await this.hasFreeSeat(accountId))) {
      throw PartnersErrors.noFreeSeat();
    }
  }

  private async seatsOf(accountId: string, seatType: PartnerSeatType): Promise<number> {
    const row = await this.transactions.manager.findOneBy(PartnerSeat, { accountId, seatType });
    return row?.seats ?? 0;
  }

  private used(accountId: string): Promise<number> {
    return this.transactions.manager.countBy(Membership, {
      accountId,
      partnerFirmId: Not(IsNull()),
    });
  }
}
