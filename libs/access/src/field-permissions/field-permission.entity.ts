import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PrincipalType } from '../access.types';

/**
 * An allow-list entry of a property: who may view or edit its values. A property without
 * entries for an access is open to everyone who may read (or update) the record; once it has
 * entries, only the listed principals (and super admins) may.
 */
@Entity('access_field_permission')
@Index(
  'access_field_permission_uq',
  ['accountId', 'objectType', 'property', 'access', 'principalType', 'principalId'],
  { unique: true },
)
export class FieldPermission {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'access_field_permission_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 64 })
  objectType!: string;

  @Column({ type: 'varchar', length: 100 })
  property!: string;

  @Column({ type: 'varchar', length: 8 })
  access!: 'view' | 'edit';

  @Column({ name: 'principal_type', type: 'varchar', length: 16 })
  principalType!: PrincipalType;

  /** The user, team or role; empty for `everyone` and `super_admins`. */
  @Column({ name: 'principal_id', type: 'varchar', length: 36, default: '' })
  principalId!: string;
}
