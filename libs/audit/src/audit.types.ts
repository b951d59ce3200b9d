import type { ActorKind } from '@custos/core';
import type { AuditMetadata } from './audit-metadata';
import type { ChainBreakReason } from './hash-chain';

/** Who did it: a core actor kind, or `anonymous` for an unidentified caller (e.g. failed sign-in). */
export type AuditActorKind = ActorKind | 'anonymous';

/** Every {@link AuditActorKind}. */
export const AUDIT_ACTOR_KINDS: readonly AuditActorKind[] = [
  'user',
  'private_app',
  'partner_admin',
  'support',
  'system',
  'provisioning',
  'anonymous',
];

/** The actor fields an audit event keeps. A core `Actor` fits. */
export interface AuditActor {
  readonly kind: AuditActorKind;
  readonly id: string;
  /** Human-readable (email, key name); never a secret. */
  readonly label: string;
}

/** What {@link AuditService.record} needs to know about a change. */
export interface AuditEventInput {
  /** Dot-separated lower-case verb, e.g. `user.created`, `auth.login_failed` (max 100 chars). */
  readonly action: string;
  /** Kind of the changed thing, e.g. `user`, `property` (max 64 chars). Required with `targetId`. */
  readonly targetType?: string;
  /** Id of the changed thing (max 255 chars). */
  readonly targetId?: string;
  /** JSON object, conventionally `{ before, after }`; secret-looking keys are dropped. Default `{}`. */
  readonly metadata?: AuditMetadata;
  /** Default: the account of `RequestContext.actor`. Set it where no actor is bound (sign-in, jobs). */
  readonly accountId?: string;
  /** Default: `RequestContext.actor`. */
  readonly actor?: AuditActor;
}

/** Filters of {@link AuditService.query}; all optional and AND-ed. */
export interface AuditEventFilters {
  readonly actorId?: string;
  /** Exact action (`user.created`) or, ending in a dot, a prefix (`user.`). */
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** Events that occurred at or after this time. */
  readonly from?: Date;
  /** Events that occurred strictly before this time. */
  readonly to?: Date;
}

/** `limit` (default 25, max 100) and `after` (cursor of the previous page). */
export interface AuditPageRequest {
  readonly limit?: number;
  readonly after?: string;
}

/** The result of {@link AuditService.verify}. */
export interface ChainVerification {
  /** Every event links to its predecessor, hashes match, and the signed head points at the last one. */
  readonly valid: boolean;
  /** Events found intact, from seq 1 up to the first break. */
  readonly eventsChecked: number;
  /** The seq the chain head claims (0 when the account has no events). */
  readonly headSeq: number;
  /** The seq of the witness's newest checkpoint of this account; only when there is one. */
  readonly checkpointSeq?: number;
  /** The first seq that is missing, altered or not covered by the head; only when invalid. */
  readonly firstBrokenSeq?: number;
  /**
   * Only when invalid: `hash_mismatch` (an event was edited), `broken_link` (an event was deleted
   * or the chain has a gap), `head_mismatch` (events were cut off the tail), `bad_signature`
   * (the head itself was edited), `missing_head` (the chain was deleted),
   * `rolled_back` (the chain is behind the witness's newest checkpoint: the tail was cut off and
   * an older head written back).
   */
  readonly reason?: ChainBreakReason;
}
