import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A link between two records (contact ↔ company, deal ↔ contact, deal ↔ company), stored once per direction pair. */
@Entity('crm_association')
@Index('crm_association_uq', ['accountId', 'fromType', 'fromId', 'toType', 'toId'], {
  unique: true,
})
@Index('crm_association_to_idx', ['accountId', 'toType', 'toId'])
export class Association {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_association_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'from_type', type: 'varchar', length: 32 })
  fromType!: string;

  @Column({ name: 'from_id', type: 'varchar', length: 36 })
  fromId!: string;

  @Column({ name: 'to_type', type: 'varchar', length: 32 })
  toType!: string;

  @Column({ name: 'to_id', type: 'varchar', length: 36 })
  toId!: string;
}
