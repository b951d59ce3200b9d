import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConsentChannel, ConsentStatus } from '../consent.types';

const PK = 'consent_state_pk';

/**
 * The current consent of a contact for a purpose on a channel (and address): the last event of
 * that key by `seq`, written in the event's transaction. Rebuildable from `consent_event`.
 */
@Entity('consent_state')
@Index('consent_state_address_idx', ['accountId', 'address'])
export class ConsentState {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: PK,
  })
  accountId!: string;

  @PrimaryColumn({ name: 'contact_id', type: 'varchar', length: 36, primaryKeyConstraintName: PK })
  contactId!: string;

  @PrimaryColumn({ name: 'purpose_id', type: 'varchar', length: 36, primaryKeyConstraintName: PK })
  purposeId!: string;

  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: PK })
  channel!: ConsentChannel;

  @PrimaryColumn({ type: 'varchar', length: 320, primaryKeyConstraintName: PK })
  address!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: ConsentStatus;

  /** The seq of the event: of two states of one contact × purpose × channel, the later one rules. */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  @Column({ name: 'notice_version', type: 'integer', nullable: true })
  noticeVersion!: number | null;

  @TimestampColumn({ name: 'effective_from' })
  effectiveFrom!: Date;

  @TimestampColumn({ name: 'effective_to', nullable: true })
  effectiveTo!: Date | null;
}
