import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn, type TaskPrivilege } from '@custos/core';

/** A private app's API key. Only a SHA-256 hash of its high-entropy secret is stored. */
@Entity('identity_api_key')
@Index('identity_api_key_account_idx', ['accountId'])
export class ApiKey {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'identity_api_key_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  /** Shown in lists so people can tell keys apart: the first characters of the secret. */
  @Column({ name: 'secret_hint', type: 'varchar', length: 12 })
  secretHint!: string;

  @Column({ type: 'simple-json' })
  scopes!: TaskPrivilege[];

  @Column({ name: 'created_by_user_id', type: 'varchar', length: 36 })
  createdByUserId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @TimestampColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @TimestampColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
