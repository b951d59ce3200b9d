import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';
import type { RecordAction } from '../conditions/access-ability';
import type { Condition } from '../conditions/condition-language';

/**
 * A condition on records (Odoo record rules). `restrict` rules of a role narrow that role's grants
 * (a role's rules are OR'ed); account-wide `restrict` rules (no role) are AND'ed over everyone;
 * `deny` rules forbid matching records whatever else grants them. Super admins are not bound.
 */
@Entity('access_record_rule')
@Index('access_record_rule_account_type_idx', ['accountId', 'objectType'])
export class RecordRule {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'access_record_rule_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** The role whose holders the rule binds; `null`: everyone in the account. */
  @Column({ name: 'role_id', type: 'varchar', length: 36, nullable: true })
  roleId!: string | null;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 64 })
  objectType!: string;

  @Column({ type: 'simple-json' })
  actions!: RecordAction[];

  @Column({ type: 'varchar', length: 16 })
  effect!: 'restrict' | 'deny';

  @Column({ type: 'simple-json' })
  condition!: Condition;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
