import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One version of the text shown to the person for a purpose; never changed once written. */
@Entity('consent_notice')
@Index('consent_notice_version_uq', ['purposeId', 'version'], { unique: true })
export class ConsentNotice {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'consent_notice_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'purpose_id', type: 'varchar', length: 36 })
  purposeId!: string;

  /** 1, 2, 3 … per purpose. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  text!: string;

  /** SHA-256 (hex) of the UTF-8 text: shows the text was not changed after the fact. */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
