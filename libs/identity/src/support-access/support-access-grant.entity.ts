import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/**
 * Temporary, read-only access to an account for a support person who is not a member of it,
 * granted by a super admin of the account to an email. Valid from creation until `expiresAt` or
 * revocation; bound to the login of that email when the person first signs in with it.
 */
@Entity('identity_support_access_grant')
@Index('identity_support_access_grant_account_idx', ['accountId'])
@Index('identity_support_access_grant_user_account_idx', ['supportUserId', 'accountId'])
@Index('identity_support_access_grant_email_account_idx', ['supportUserEmail', 'accountId'])
export class SupportAccessGrant {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_support_access_grant_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** The email the grant was made to (lower-cased, as logins store it). */
  @Column({ name: 'support_user_email', type: 'varchar', length: 320 })
  supportUserEmail!: string;

  /** The login that used the grant; `null` until its first support sign-in. */
  @Column({ name: 'support_user_id', type: 'varchar', length: 36, nullable: true })
  supportUserId!: string | null;

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
