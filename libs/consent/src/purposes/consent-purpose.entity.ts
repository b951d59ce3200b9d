import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConsentChannel, LegalBasis } from '../consent.types';

/** A purpose of processing (newsletter, offers by email, profiling) with its lawful basis. */
@Entity('consent_purpose')
@Index('consent_purpose_key_uq', ['accountId', 'key'], { unique: true })
export class ConsentPurpose {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'consent_purpose_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** Stable name used by mailings and forms (`newsletter`). */
  @Column({ type: 'varchar', length: 64 })
  key!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'legal_basis', type: 'varchar', length: 24 })
  legalBasis!: LegalBasis;

  @Column({ type: 'simple-json' })
  channels!: ConsentChannel[];

  /** Consent given through a public source waits for a confirmation link before it counts. */
  @Column({ name: 'double_opt_in', type: 'boolean' })
  doubleOptIn!: boolean;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
