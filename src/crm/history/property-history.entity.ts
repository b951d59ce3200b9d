import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

export const CHANGE_SOURCES = ['api', 'import', 'form', 'system', 'batch'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

/** One change of one property value of one record: old and new value (JSON text), source, actor, time. */
@Entity('crm_property_history')
@Index('crm_property_history_record_idx', ['accountId', 'recordId', 'propertyName', 'changedAt'])
// Walked by id per account (data-key rotation).
@Index('crm_property_history_account_id_idx', ['accountId', 'id'])
export class PropertyHistory {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'crm_property_history_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;

  @Column({ name: 'property_name', type: 'varchar', length: 100 })
  propertyName!: string;

  @Column({ name: 'old_value', type: 'text', nullable: true })
  oldValue!: string | null;

  @Column({ name: 'new_value', type: 'text', nullable: true })
  newValue!: string | null;

  @Column({ type: 'varchar', length: 16 })
  source!: ChangeSource;

  @Column({ name: 'actor_kind', type: 'varchar', length: 32 })
  actorKind!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 255 })
  actorId!: string;

  @TimestampColumn({ name: 'changed_at' })
  changedAt!: Date;
}
