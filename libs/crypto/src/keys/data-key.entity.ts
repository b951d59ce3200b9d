import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** A per-account key, stored only wrapped by the key provider. `data` keys have versions; one is active. */
@Entity('crypto_data_key')
@Index('crypto_data_key_account_purpose_version_uq', ['accountId', 'purpose', 'version'], {
  unique: true,
})
export class DataKeyRecord {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crypto_data_key_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  /** `data` encrypts values; `index` keys the blind index. */
  @Column({ type: 'varchar', length: 8 })
  purpose!: 'data' | 'index';

  @Column({ type: 'integer' })
  version!: number;

  /** Base64 of the wrapped key. */
  @Column({ name: 'wrapped_key', type: 'varchar', length: 200 })
  wrappedKey!: string;

  /** Which key-encryption key wrapped it. */
  @Column({ name: 'kek_id', type: 'varchar', length: 100 })
  kekId!: string;

  @Column({ type: 'boolean', default: false })
  active!: boolean;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
