import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConsentChannel } from '@custos/consent';
import { TimestampColumn } from '@custos/core';

/** One field of a form: the property it writes, its label on the form, whether it must be filled. */
export interface FormField {
  property: string;
  label: string | null;
  required: boolean;
}

/**
 * A consent checkbox of a form: one purpose of `@custos/consent` on one channel, with the notice
 * version its label shows. Unticked, it records nothing.
 */
export interface FormConsent {
  purposeId: string;
  channel: ConsentChannel;
  noticeVersion: number;
}

/**
 * A form that collects values for a new record of one object type, submitted without
 * credentials; each submission notifies the `notify` users of the account.
 */
@Entity('crm_form')
@Index('crm_form_account_idx', ['accountId', 'id'])
export class CrmForm {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_form_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  /** Ordered fields (property names and labels: never values). */
  @Column({ type: 'simple-json' })
  fields!: FormField[];

  /** User ids of the account notified of each submission. */
  @Column({ type: 'simple-json' })
  notify!: string[];

  /** Consent checkboxes (contacts forms only), in display order. */
  @Column({ type: 'simple-json', default: '[]' })
  consents!: FormConsent[];

  @Column({ type: 'boolean' })
  active!: boolean;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
