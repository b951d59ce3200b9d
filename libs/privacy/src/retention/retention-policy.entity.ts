import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What a policy selects: contacts untouched whose consent lapsed, records archived long ago, deals
 * closed long ago, or companies without activity (no deal) for long.
 */
export const RETENTION_CONDITIONS = [
  'stale_without_consent',
  'archived',
  'closed',
  'inactive',
] as const;
export type RetentionCondition = (typeof RETENTION_CONDITIONS)[number];

/** What happens to a selected contact (a blocker turns `delete` into `anonymise`, as in erasure). */
export const RETENTION_ACTIONS = ['anonymise', 'delete'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

/** The object types a policy applies to (companies and deals once the host declares them). */
export const RETENTION_OBJECT_TYPES = ['contacts', 'companies', 'deals'] as const;
export type RetentionObjectType = (typeof RETENTION_OBJECT_TYPES)[number];

/** The conditions each object type may use. */
export const RETENTION_CONDITIONS_OF: Record<RetentionObjectType, readonly RetentionCondition[]> = {
  contacts: ['stale_without_consent', 'archived'],
  companies: ['archived', 'inactive'],
  deals: ['archived', 'closed'],
};

/**
 * A retention policy of an account (GDPR Art. 5(1)(e)): the records of `objectType` meeting
 * `condition` for `afterDays` days are anonymised or deleted by the daily run (contacts through
 * the erasure engine).
 */
@Entity('privacy_retention_policy')
@Index('privacy_retention_policy_account_idx', ['accountId', 'id'])
export class PrivacyRetentionPolicy {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'privacy_retention_policy_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: RetentionObjectType;

  @Column({ type: 'varchar', length: 32 })
  condition!: RetentionCondition;

  @Column({ name: 'after_days', type: 'integer' })
  afterDays!: number;

  @Column({ type: 'varchar', length: 16 })
  action!: RetentionAction;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /**
   * Deals only: years after its close date a closed-won deal stays a contract under a legal
   * obligation (anonymised, kept); after them the policy's action applies. `null`: kept for good.
   */
  @Column({ name: 'legal_period_years', type: 'integer', nullable: true })
  legalPeriodYears!: number | null;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'last_run_at', nullable: true })
  lastRunAt!: Date | null;
}

/**
 * A record a policy has erased, written first in the record's erasing transaction: a rerun (after
 * a crash, or the next day) skips it, so an anonymised record is not anonymised again.
 */
@Entity('privacy_retention_done')
export class PrivacyRetentionDone {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'privacy_retention_done_pk',
  })
  accountId!: string;

  @PrimaryColumn({
    name: 'policy_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'privacy_retention_done_pk',
  })
  policyId!: string;

  @PrimaryColumn({
    name: 'record_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'privacy_retention_done_pk',
  })
  recordId!: string;

  /** `deleted` or `anonymised` (set in the claiming transaction, so never seen as `claimed`). */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  @TimestampColumn({ name: 'done_at' })
  doneAt!: Date;
}
