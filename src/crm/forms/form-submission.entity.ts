import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

export const SUBMISSION_STATUSES = ['created', 'failed'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/**
 * One accepted submission of a form: whether it created a record, and if not, why (an error
 * code). The submitted values are never kept here; they live only in the record (sealed where
 * sensitive).
 */
@Entity('crm_form_submission')
@Index('crm_form_submission_record_idx', ['accountId', 'recordId'])
@Index('crm_form_submission_form_idx', ['accountId', 'formId', 'id'])
export class FormSubmission {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'crm_form_submission_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'form_id', type: 'varchar', length: 36 })
  formId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: SubmissionStatus;

  @Column({ name: 'record_id', type: 'varchar', length: 36, nullable: true })
  recordId!: string | null;

  /** Stable error code of a failed submission (e.g. `crm.unique_value_taken`). */
  @Column({ name: 'error_code', type: 'varchar', length: 100, nullable: true })
  errorCode!: string | null;

  /** Names of the properties the submission wrote (for rendering its notifications). */
  @Column({ name: 'field_names', type: 'simple-json' })
  fieldNames!: string[];

  @TimestampColumn({ name: 'submitted_at' })
  submittedAt!: Date;
}
