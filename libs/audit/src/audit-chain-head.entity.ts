import { TimestampColumn } from '@custos/core';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { SequenceColumn } from './sequence-column';

/**
 * The last event of an account's chain, signed with the module's key. Appends lock this row,
 * so concurrent writers queue instead of forking the chain; the signature reveals a cut-off tail.
 */
@Entity('audit_chain_head')
export class AuditChainHead {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'audit_chain_head_pk',
  })
  accountId!: string;

  /** Seq of the last event; 0 before the first. */
  @SequenceColumn('seq')
  seq!: number;

  /** Hash of the last event; the genesis hash before the first. */
  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  /** HMAC-SHA256 of `accountId|seq|hash` under the module's signing key. */
  @Column({ type: 'varchar', length: 64 })
  signature!: string;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
