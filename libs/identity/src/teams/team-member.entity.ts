import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** A user's membership of a team. */
@Entity('identity_team_member')
@Index('identity_team_member_account_user_idx', ['accountId', 'userId'])
export class TeamMember {
  @PrimaryColumn({
    name: 'team_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_team_member_pk',
  })
  teamId!: string;

  @PrimaryColumn({
    name: 'user_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_team_member_pk',
  })
  userId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
