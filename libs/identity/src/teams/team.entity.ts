import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** A group of users in one account (e.g. "Northern Europe"); scopes team-level access. */
@Entity('identity_team')
@Index('identity_team_account_name_uq', ['accountId', 'name'], { unique: true })
export class Team {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'identity_team_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 1000, default: '' })
  description!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
