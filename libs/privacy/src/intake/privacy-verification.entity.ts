import { TimestampColumn } from '@custos/core';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The code that proves a public request's sender holds the mailbox it names: stored hashed
 * (SHA-256 of request id and code), expiring, deleted when used or after too many wrong tries.
 */
@Entity('privacy_verification')
export class PrivacyVerification {
  @PrimaryColumn({
    name: 'request_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'privacy_verification_pk',
  })
  requestId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @TimestampColumn({ name: 'expires_at' })
  expiresAt!: Date;

  /** Wrong codes tried so far. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;
}
