import { TimestampColumn } from '@custos/core';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The signed pointer to the last consent event of an account (like the audit log's head). */
@Entity('consent_chain_head')
export class ConsentChainHead {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'consent_chain_head_pk',
  })
  accountId!: string;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: 'varchar', length: 64 })
  signature!: string;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
