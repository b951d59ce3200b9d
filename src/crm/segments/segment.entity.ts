import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';
import type { StoredFilterGroup } from '../search';

/**
 * Who besides the owner may use a segment, as HubSpot lists: `private` (the owner only),
 * `shared_read` (everyone in the account sees and uses it, the owner edits), `shared_edit`
 * (everyone edits). Super admins in person see and manage every segment.
 */
export const SEGMENT_SHARING = ['private', 'shared_read', 'shared_edit'] as const;
export type SegmentSharing = (typeof SEGMENT_SHARING)[number];

/** A saved list: an object type and filter groups, evaluated in SQL when its members are read. */
@Entity('crm_segment')
@Index('crm_segment_account_name_uq', ['accountId', 'name'], { unique: true })
@Index('crm_segment_account_owner_idx', ['accountId', 'ownerUserId'])
export class Segment {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_segment_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  /** Filters on sensitive properties hold blind-index tokens, never values. */
  @Column({ name: 'filter_groups', type: 'simple-json' })
  filterGroups!: StoredFilterGroup[];

  /** The user who created it; `null` when no person did (or, for older segments, none is known). */
  @Column({ name: 'owner_user_id', type: 'varchar', length: 36, nullable: true })
  ownerUserId!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'private' })
  sharing!: SegmentSharing;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
