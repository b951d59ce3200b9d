import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn, type TaskPrivilege } from '@custos/core';
import type { ObjectPrivilege } from '../access.types';

/** A security role (permission set): record privileges at access levels, and task privileges. */
@Entity('access_role')
@Index('access_role_account_name_uq', ['accountId', 'name'], { unique: true })
export class Role {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'access_role_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 1000, default: '' })
  description!: string;

  @Column({ type: 'simple-json' })
  privileges!: ObjectPrivilege[];

  @Column({ name: 'task_privileges', type: 'simple-json' })
  taskPrivileges!: TaskPrivilege[];

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
