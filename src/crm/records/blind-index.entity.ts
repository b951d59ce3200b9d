import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Blind-index tokens of sensitive property values (see `@custos/crypto`'s `BlindIndexer`): equality
 * search finds candidate records by token, never by value. One row per record and property.
 */
@Entity('crm_blind_index')
@Index('crm_blind_index_record_idx', ['accountId', 'recordId'])
@Index('crm_blind_index_lookup_idx', [
  'accountId',
  'objectType',
  'propertyName',
  'token',
  'recordId',
])
export class BlindIndexEntry {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'crm_blind_index_pk',
  })
  accountId!: string;

  @PrimaryColumn({
    name: 'object_type',
    type: 'varchar',
    length: 32,
    primaryKeyConstraintName: 'crm_blind_index_pk',
  })
  objectType!: string;

  @PrimaryColumn({
    name: 'property_name',
    type: 'varchar',
    length: 100,
    primaryKeyConstraintName: 'crm_blind_index_pk',
  })
  propertyName!: string;

  @PrimaryColumn({
    name: 'record_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'crm_blind_index_pk',
  })
  recordId!: string;

  /** 64-bit HMAC token, hex. */
  @Column({ type: 'varchar', length: 16 })
  token!: string;
}
