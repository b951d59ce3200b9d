import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A role held by a user, or by a team (its members inherit it). */
@Entity('access_role_assignment')
@Index('access_role_assignment_uq', ['roleId', 'principalType', 'principalId'], { unique: true })
@Index('access_role_assignment_principal_idx', ['accountId', 'principalType', 'principalId'])
export class RoleAssignment {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'access_role_assignment_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'role_id', type: 'varchar', length: 36 })
  roleId!: string;

  @Column({ name: 'principal_type', type: 'varchar', length: 16 })
  principalType!: 'user' | 'team';

  @Column({ name: 'principal_id', type: 'varchar', length: 36 })
  principalId!: string;
}
