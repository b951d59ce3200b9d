import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn, type ActorKind } from '@custos/core';

/**
 * A file attached to a CRM record. The bytes live in the `AttachmentStorage` under `storageKey`;
 * when `encrypted`, they are a binary envelope sealed with the account's data key `keyVersion`
 * (files stored before sensitive data was enabled stay as they were: `encrypted` false).
 */
@Entity('crm_attachment')
@Index('crm_attachment_subject_idx', ['accountId', 'recordId'])
@Index('crm_attachment_record_idx', ['accountId', 'objectType', 'recordId', 'id'])
@Index('crm_attachment_key_version_idx', ['accountId', 'keyVersion'])
@Index('crm_attachment_storage_key_idx', ['storageKey'], { unique: true })
export class CrmAttachment {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_attachment_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;

  /**
   * The file property of the record that holds this attachment (its value is the attachment's
   * id), set by the first write that makes it so and kept after: the file is that property's
   * data, readable only by those who may read the property. `null`: held by no property.
   */
  @Column({ name: 'property_name', type: 'varchar', length: 100, nullable: true })
  propertyName!: string | null;

  /** The sanitised name the client gave the file (personal data: never in logs or audit). */
  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType!: string;

  /** Size of the file itself in bytes (not of its envelope). */
  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'boolean' })
  encrypted!: boolean;

  /**
   * Account data-key version of the pass that sealed the bytes (for rotation, which seals them
   * again into their current binding); null for plaintext files. A contact's files are sealed
   * under the contact's own key (see `sealAttachment`).
   */
  @Column({ name: 'key_version', type: 'integer', nullable: true })
  keyVersion!: number | null;

  @Column({ name: 'storage_key', type: 'varchar', length: 255 })
  storageKey!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'created_by_kind', type: 'varchar', length: 32 })
  createdByKind!: ActorKind;

  @Column({ name: 'created_by', type: 'varchar', length: 255 })
  createdBy!: string;
}
