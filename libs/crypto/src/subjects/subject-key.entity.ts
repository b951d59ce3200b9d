import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/**
 * A data subject's own data key (crypto-shredding): created on the first value sealed for the
 * subject, stored wrapped by the account's data key of `keyVersion`. Destroying it clears
 * `wrappedKey` and sets `destroyedAt`, so every copy of the values it sealed stops opening; a
 * value sealed for the subject afterwards gets a new key of the next `generation`.
 */
@Entity('crypto_subject_key')
@Index('crypto_subject_key_subject_uq', ['accountId', 'subjectKind', 'subjectId'], {
  unique: true,
})
@Index('crypto_subject_key_account_id_idx', ['accountId', 'id'])
export class SubjectKeyRecord {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crypto_subject_key_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** What the subject is, e.g. `contact`. */
  @Column({ name: 'subject_kind', type: 'varchar', length: 32 })
  subjectKind!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 64 })
  subjectId!: string;

  /** Which key of the subject this is: sealed envelopes name it; a new key after a destruction is the next. */
  @Column({ type: 'integer' })
  generation!: number;

  /** Version of the account data key that wraps it; `null` once destroyed. */
  @Column({ name: 'key_version', type: 'integer', nullable: true })
  keyVersion!: number | null;

  /** The key sealed by the account data key (an envelope); `null` once destroyed. */
  @Column({ name: 'wrapped_key', type: 'varchar', length: 200, nullable: true })
  wrappedKey!: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'destroyed_at', nullable: true })
  destroyedAt!: Date | null;
}
