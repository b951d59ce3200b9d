import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';
import type { FilterGroupDto } from '../search/search.dto';

/** A saved list: an object type and filter groups, evaluated in SQL when its members are read. */
@Entity('crm_segment')
@Index('crm_segment_account_name_uq', ['accountId', 'name'], { unique: true })
export class Segment {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_segment_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  @Column({ name: 'filter_groups', type: 'simple-json' })
  filterGroups!: FilterGroupDto[];

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
