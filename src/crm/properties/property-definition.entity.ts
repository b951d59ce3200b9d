import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';
import type {
  EnumerationOption,
  IndexState,
  PropertyType,
  ScoreRule,
  SensitiveAccess,
} from '../kernel';

/** A custom property of an object type in one account. Standard properties are defined in code. */
@Entity('crm_property')
@Index('crm_property_account_type_name_uq', ['accountId', 'objectType', 'name'], { unique: true })
export class CustomPropertyDefinition {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_property_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 32 })
  objectType!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 200 })
  label!: string;

  @Column({ name: 'group_name', type: 'varchar', length: 100 })
  groupName!: string;

  @Column({ type: 'varchar', length: 1000, default: '' })
  description!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: PropertyType;

  @Column({ type: 'simple-json' })
  options!: EnumerationOption[];

  @Column({ name: 'is_unique', type: 'boolean', default: false })
  unique!: boolean;

  @Column({ name: 'is_required', type: 'boolean', default: false })
  required!: boolean;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  formula!: string | null;

  @Column({ name: 'score_rules', type: 'simple-json' })
  scoreRules!: ScoreRule[];

  /** Values are encrypted in the application; set at creation, never changed. */
  @Column({ type: 'boolean', default: false })
  sensitive!: boolean;

  /** Sensitive only: holds protected health information. */
  @Column({ type: 'boolean', default: false })
  phi!: boolean;

  /** Sensitive only: masked everywhere, revealed one record at a time. */
  @Column({ name: 'highly_sensitive', type: 'boolean', default: false })
  highlySensitive!: boolean;

  /** Sensitive only: who may view and edit values before field permissions narrow it. */
  @Column({ name: 'value_access', type: 'varchar', length: 16, default: 'everyone' })
  valueAccess!: SensitiveAccess;

  /** An expression index on the value is asked for (see `CustomPropertyIndexes`). */
  @Column({ type: 'boolean', default: false })
  indexed!: boolean;

  /** `building`, `ready` or `failed` while `indexed`; `null` otherwise. */
  @Column({ name: 'index_state', type: 'varchar', length: 16, nullable: true })
  indexState!: IndexState | null;

  /** The fideslang category of the personal data its values hold; `null`: none. */
  @Column({ name: 'data_category', type: 'varchar', length: 64, nullable: true })
  dataCategory!: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
