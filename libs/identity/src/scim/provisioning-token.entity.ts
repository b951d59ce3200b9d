import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/**
 * A SCIM provisioning token of an account, made by a super admin in person. Only the SHA-256 of
 * its secret is stored (as for API keys); it works only while not revoked and while its creator
 * is still an active super admin of the account.
 */
@Entity('identity_scim_token')
@Index('identity_scim_token_account_idx', ['accountId'])
export class ProvisioningToken {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_scim_token_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  @Column({ name: 'secret_hint', type: 'varchar', length: 12 })
  secretHint!: string;

  @Column({ name: 'created_by_user_id', type: 'varchar', length: 36 })
  createdByUserId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @TimestampColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
