import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One hard bounce of a normalised address; deleted when a reply or a delivery resets the count. */
@Entity('consent_bounce')
@Index('consent_bounce_address_idx', ['accountId', 'address', 'occurredAt'])
export class Bounce {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'consent_bounce_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 320 })
  address!: string;

  @TimestampColumn({ name: 'occurred_at' })
  occurredAt!: Date;
}
