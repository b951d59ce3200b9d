import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/**
 * Temporary, read-only access to an account for a support person who is not a member of it,
 * granted by a super admin of the account. Valid from creation until `expiresAt` or revocation.
 */
@Entity('identity_support_access_grant')
@Index('identity_support_access_grant_account_idx', ['accountId'])
@Index('identity_support_access_grant_user_account_idx', ['supportUserId', 'accountId'])
export class SupportAccessGrant {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_support_access_grant_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'support_user_id', type: 'varchar', length: 36 })
  supportUserId!: string;

  /** Why access was granted, written by the super admin (e.g. a ticket number). */
  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column({ name: 'granted_by_user_id', type: 'varchar', length: 36 })
  grantedByUserId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'expires_at' })
  expiresAt!: Date;

  @TimestampColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_by_user_id', type: 'varchar', length: 36, nullable: true })
  revokedByUserId!: string | null;
}
