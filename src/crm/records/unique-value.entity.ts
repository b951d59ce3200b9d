import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per value of a unique property: the unique index makes "unique per account" hold under
 * concurrent writes, for standard and custom properties alike. Strings are compared case-folded.
 */
@Entity('crm_unique_value')
@Index('crm_unique_value_uq', ['accountId', 'objectType', 'propertyName', 'valueKey'], {
  unique: true,
})
@Index('crm_unique_value_record_idx', ['recordId'])
export class UniqueValue {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_unique_value_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  @Column({ name: 'property_name', type: 'varchar', length: 100 })
  propertyName!: string;

  @Column({ name: 'value_key', type: 'varchar', length: 512 })
  valueKey!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;
}
