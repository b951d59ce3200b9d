import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A data subject whose processing is restricted (GDPR Art. 18): while the row exists, the host
 * leaves the subject out of exports, marketing and edits ({@link unrestrictedCondition},
 * {@link restrictedSubjectIds}); reads stay allowed. Lifting deletes the row; both are audited.
 */
@Entity('privacy_restriction')
@Index('privacy_restriction_subject_uq', ['accountId', 'subjectKind', 'subjectId'], {
  unique: true,
})
// The lookup probes by subject id alone (the unique index leads with the kind).
@Index('privacy_restriction_subject_idx', ['accountId', 'subjectId'])
export class PrivacyRestriction {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'privacy_restriction_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** The kind of subject (`contact`: a CRM contact). */
  @Column({ name: 'subject_kind', type: 'varchar', length: 16 })
  subjectKind!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  /** The restriction request it answers. */
  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  @Column({ name: 'restricted_by', type: 'varchar', length: 64 })
  restrictedBy!: string;

  @TimestampColumn({ name: 'restricted_at' })
  restrictedAt!: Date;
}
