import { TimestampColumn } from '@custos/core';
import {
  Check,
  Column,
  Entity,
  Index,
  PrimaryColumn,
  Unique,
  type ValueTransformer,
} from 'typeorm';
import type { AuditMetadata } from './audit-metadata';
import type { AuditActorKind } from './audit.types';
import { canonicalJson } from './hash-chain';
import { SequenceColumn } from './sequence-column';

function parseMetadata(text: string): AuditMetadata {
  try {
    return JSON.parse(text) as AuditMetadata;
  } catch {
    // Only a row edited outside Custos gets here; show it rather than fail the whole list.
    return { unparsed: text };
  }
}

/** Metadata is stored as its canonical JSON: the very bytes that the event's hash covers. */
const canonicalJsonTransformer: ValueTransformer = {
  to: (value: AuditMetadata | null | undefined) =>
    value === null || value === undefined ? value : canonicalJson(value),
  from: (value: string | null) => (value === null ? null : parseMetadata(value)),
};

/**
 * One append-only audit event. Events of an account form a hash chain: `seq` counts from 1
 * without gaps, `prevHash` is the previous event's `hash`, and `hash` covers every field but `id`.
 */
@Entity('audit_event')
@Index('audit_event_actor_label_idx', ['accountId', 'actorLabel'])
@Index('audit_event_target_id_idx', ['accountId', 'targetId'])
@Unique('audit_event_account_seq_uq', ['accountId', 'seq'])
@Index('audit_event_account_occurred_at_idx', ['accountId', 'occurredAt'])
@Index('audit_event_account_action_idx', ['accountId', 'action'])
@Index('audit_event_account_actor_idx', ['accountId', 'actorId'])
@Index('audit_event_account_target_idx', ['accountId', 'targetType', 'targetId'])
@Check('audit_event_seq_positive_ck', '"seq" > 0')
export class AuditEvent {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'audit_event_pk' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @SequenceColumn('seq')
  seq!: number;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @TimestampColumn({ name: 'occurred_at' })
  occurredAt!: Date;

  @Column({ name: 'actor_kind', type: 'varchar', length: 32 })
  actorKind!: AuditActorKind;

  @Column({ name: 'actor_id', type: 'varchar', length: 255 })
  actorId!: string;

  @Column({ name: 'actor_label', type: 'varchar', length: 255 })
  actorLabel!: string;

  /** Random salt of the label's digest; erasing the actor clears it with the label. */
  @Column({ name: 'actor_label_salt', type: 'varchar', length: 32, nullable: true })
  actorLabelSalt!: string | null;

  /** What the hash covers in place of the label (`null` on events from before it existed). */
  @Column({ name: 'actor_label_digest', type: 'varchar', length: 64, nullable: true })
  actorLabelDigest!: string | null;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 64, nullable: true })
  targetType!: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 255, nullable: true })
  targetId!: string | null;

  @Column({ type: 'text', transformer: canonicalJsonTransformer })
  metadata!: AuditMetadata;

  @Column({ name: 'request_id', type: 'varchar', length: 100, nullable: true })
  requestId!: string | null;
}
