import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const BLACKLIST_KINDS = ['email', 'phone'] as const;
export type BlacklistKind = (typeof BLACKLIST_KINDS)[number];
/**
 * `manual`: an admin added it; `bounces`: the bounce rule did; `objection`: the person objected
 * to direct marketing (GDPR Art. 21(2)), through a privacy request; `erasure`: its owner was
 * erased (the value is then kept only as a keyed hash, see `Blacklist.addErased`).
 */
export const BLACKLIST_REASONS = ['manual', 'bounces', 'objection', 'erasure'] as const;
export type BlacklistReason = (typeof BLACKLIST_REASONS)[number];

/**
 * A normalised address or phone number no marketing message goes to, whatever the consent. The
 * value of an `erasure` entry is `erased:` and a keyed hash of the normalised value.
 */
@Entity('consent_blacklist')
@Index('consent_blacklist_value_uq', ['accountId', 'value'], { unique: true })
export class BlacklistEntry {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'consent_blacklist_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 8 })
  kind!: BlacklistKind;

  @Column({ type: 'varchar', length: 320 })
  value!: string;

  @Column({ type: 'varchar', length: 16 })
  reason!: BlacklistReason;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
