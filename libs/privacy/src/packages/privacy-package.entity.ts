import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `building` (the job writes the file), `review` (the operator checks and redacts), `released`
 * (to staff or to the subject), `withdrawn` (not to be released; its file removed), `failed`.
 */
export const PACKAGE_STATES = ['building', 'review', 'released', 'withdrawn', 'failed'] as const;
export type PackageState = (typeof PACKAGE_STATES)[number];

export const PACKAGE_RECIPIENTS = ['staff', 'subject'] as const;
export type PackageRecipient = (typeof PACKAGE_RECIPIENTS)[number];

/**
 * The access or portability package of a privacy request (one per request): the places found
 * (`items`, without values — values are only in the sealed file), the operator's redactions,
 * and the sealed file with its SHA-256. Released to the subject through a single-use link whose
 * token is kept as its SHA-256 only.
 */
@Entity('privacy_package')
@Index('privacy_package_request_uq', ['accountId', 'requestId'], { unique: true })
@Index('privacy_package_link_uq', ['linkHash'], { unique: true })
@Index('privacy_package_subject_idx', ['accountId', 'subjectContactId'])
export class PrivacyPackage {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'privacy_package_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId!: string;

  /** The request's contact, copied at the build: the lookup finds the package by it, the erasure deletes it. */
  @Column({ name: 'subject_contact_id', type: 'varchar', length: 36, nullable: true })
  subjectContactId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: PackageState;

  /** Bumped by every change: changes are `UPDATE … WHERE version = ?`, so racing ones lose. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** JSON array of the items found (source, row id, fields held) — no values; `null` until found. */
  @Column({ type: 'text', nullable: true })
  items!: string | null;

  /** JSON array of `{ itemId, reason }`. */
  @Column({ type: 'text', default: '[]' })
  redactions!: string;

  @Column({ name: 'file_key', type: 'varchar', length: 255, nullable: true })
  fileKey!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  sha256!: string | null;

  @Column({ type: 'integer', nullable: true })
  size!: number | null;

  @Column({ name: 'released_to', type: 'varchar', length: 16, nullable: true })
  releasedTo!: PackageRecipient | null;

  /** SHA-256 of the subject's download link token. */
  @Column({ name: 'link_hash', type: 'varchar', length: 64, nullable: true })
  linkHash!: string | null;

  @TimestampColumn({ name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @TimestampColumn({ name: 'downloaded_at', nullable: true })
  downloadedAt!: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
