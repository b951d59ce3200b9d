import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** The kinds of partner seat an account buys; every partner admin takes one `partner` seat. */
export const PARTNER_SEAT_TYPES = ['partner'] as const;
export type PartnerSeatType = (typeof PARTNER_SEAT_TYPES)[number];

/** How many seats of a type a customer account has for partner admins (none without a row). */
@Entity('partner_seat')
export class PartnerSeat {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'partner_seat_pk',
  })
  accountId!: string;

  @PrimaryColumn({
    name: 'seat_type',
    type: 'varchar',
    length: 32,
    primaryKeyConstraintName: 'partner_seat_pk',
  })
  seatType!: PartnerSeatType;

  @Column({ type: 'integer' })
  seats!: number;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
