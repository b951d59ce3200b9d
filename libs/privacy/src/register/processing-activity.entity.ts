import { TimestampColumn } from '@custos/core';
import type { LegalBasis } from '@custos/consent';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DataCategory } from '../taxonomy/categories';

/** One processing activity of the register (GDPR Art. 30(1)), one per purpose. */
@Entity('privacy_activity')
@Index('privacy_activity_name_uq', ['accountId', 'name'], { unique: true })
export class ProcessingActivity {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'privacy_activity_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'simple-json' })
  purposes!: string[];

  /** Art. 6(1); also an element of the information given under Art. 13/14. */
  @Column({ name: 'lawful_basis', type: 'varchar', length: 24 })
  lawfulBasis!: LegalBasis;

  /** Name and contact details of the controller (and its representative). */
  @Column({ type: 'varchar', length: 1000 })
  controller!: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  dpo!: string | null;

  @Column({ name: 'subject_categories', type: 'simple-json' })
  subjectCategories!: string[];

  @Column({ name: 'data_categories', type: 'simple-json' })
  dataCategories!: DataCategory[];

  @Column({ type: 'simple-json' })
  recipients!: string[];

  /** Third countries or international organisations, and the safeguards (Art. 49(1)). */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  transfers!: string | null;

  /** Time limits for erasure. */
  @Column({ type: 'varchar', length: 2000 })
  retention!: string;

  /** Technical and organisational security measures (Art. 32(1)). */
  @Column({ name: 'security_measures', type: 'varchar', length: 4000 })
  securityMeasures!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
