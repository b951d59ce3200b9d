import { TimestampColumn } from '@custos/core';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConsentChannel, ConsentSource, ConsentStatus } from '../consent.types';

/**
 * One consent event, appended to the account's chain (`seq`, `prevHash`, `hash`) and never
 * updated but by erasure (which empties its personal part and keeps that part's digest). `address` is '' when the event covers every address of the contact on the channel.
 */
@Entity('consent_event')
@Index('consent_event_address_idx', ['accountId', 'address'])
@Index('consent_event_seq_uq', ['accountId', 'seq'], { unique: true })
@Index('consent_event_contact_idx', ['accountId', 'contactId', 'seq'])
export class ConsentEvent {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'consent_event_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ name: 'contact_id', type: 'varchar', length: 36 })
  contactId!: string;

  @Column({ name: 'purpose_id', type: 'varchar', length: 36 })
  purposeId!: string;

  @Column({ type: 'varchar', length: 8 })
  channel!: ConsentChannel;

  @Column({ type: 'varchar', length: 320 })
  address!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: ConsentStatus;

  @Column({ type: 'varchar', length: 24 })
  source!: ConsentSource;

  @Column({ name: 'notice_version', type: 'integer', nullable: true })
  noticeVersion!: number | null;

  @Column({ name: 'actor_kind', type: 'varchar', length: 24 })
  actorKind!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 64 })
  actorId!: string;

  /** For public sources: the client's address with its host part zeroed (/24, /48). */
  @Column({ type: 'varchar', length: 45, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  /** Canonical JSON of the {@link ConsentProof}, or null. */
  @Column({ type: 'text', nullable: true })
  proof!: string | null;

  @TimestampColumn({ name: 'effective_from' })
  effectiveFrom!: Date;

  @TimestampColumn({ name: 'effective_to', nullable: true })
  effectiveTo!: Date | null;

  /** When the double opt-in was confirmed (on the `granted` event that confirms it). */
  @TimestampColumn({ name: 'confirmed_at', nullable: true })
  confirmedAt!: Date | null;

  @TimestampColumn({ name: 'occurred_at' })
  occurredAt!: Date;

  /**
   * SHA-256 of the personal part (address, ip, user agent, proof), hashed into the chain in its
   * place so that erasure can drop the part; `null` on events from before it existed.
   */
  @Column({ name: 'personal_digest', type: 'varchar', length: 64, nullable: true })
  personalDigest!: string | null;

  /** When erasure dropped the personal part. */
  @TimestampColumn({ name: 'erased_at', nullable: true })
  erasedAt!: Date | null;
}
