import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The `prevHash` of an account's first event, and the hash of an empty chain's head. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a chain break looks like; see {@link ChainVerification}. */
export type ChainBreakReason =
  | 'hash_mismatch'
  | 'broken_link'
  | 'head_mismatch'
  | 'bad_signature'
  | 'missing_head'
  | 'rolled_back';

/** Every reason {@link ChainWalker} can report, for documentation. */
export const CHAIN_BREAK_REASONS: readonly ChainBreakReason[] = [
  'hash_mismatch',
  'broken_link',
  'head_mismatch',
  'bad_signature',
  'missing_head',
  'rolled_back',
];

/** The fields of an event that its hash covers (everything but its id and its own hash). */
export interface ChainedFields {
  readonly accountId: string;
  readonly seq: number;
  readonly prevHash: string;
  /** ISO-8601 UTC with milliseconds, as stored. */
  readonly occurredAt: string;
  readonly actorKind: string;
  readonly actorId: string;
  readonly actorLabel: string;
  /**
   * SHA-256 of a random salt and the label ({@link actorLabelDigest}); when set, the hash covers
   * it in place of the label, so erasing the label and its salt leaves the chain checkable.
   * Events appended before it existed (`null`) hash their label itself.
   */
  readonly actorLabelDigest?: string | null;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  /** The metadata as stored: its canonical JSON text. */
  readonly metadataJson: string;
  readonly requestId: string | null;
}

/** A stored event as the walker sees it. */
export interface ChainedEvent extends ChainedFields {
  readonly hash: string;
  /** The salt of the label's digest; `null` once the label is erased. */
  readonly actorLabelSalt?: string | null;
}

/** What an erased actor's label reads (its salt is gone, so its digest names nobody). */
export const ERASED_ACTOR_LABEL = '(erased user)';

/** SHA-256 (hex) of an actor label under its salt: the form of the label that the hash covers. */
export function actorLabelDigest(salt: string, label: string): string {
  return createHash('sha256').update(`${salt}|${label}`, 'utf8').digest('hex');
}

/**
 * Whether an event's label matches what its hash covers: with a digest, the label under its
 * salt gives the digest, or (salt erased) the label is the erased marker — so an erased event
 * cannot carry another name. Events without a digest hash their label directly.
 */
function labelMatchesDigest(event: ChainedEvent): boolean {
  if (!event.actorLabelDigest) {
    return true;
  }
  return event.actorLabelSalt
    ? actorLabelDigest(event.actorLabelSalt, event.actorLabel) === event.actorLabelDigest
    : event.actorLabel === ERASED_ACTOR_LABEL;
}

/** The signed pointer to the last event of an account's chain. */
export interface SignedHead {
  readonly accountId: string;
  readonly seq: number;
  readonly hash: string;
  readonly signature: string;
}

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785 does) at every depth and no
 * whitespace, so equal values always give equal bytes. `undefined` members are left out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/**
 * SHA-256 (hex) over the canonical JSON of exactly the chained fields, `metadata` being the
 * stored canonical text itself: the bytes hashed are the bytes stored, so any edit shows.
 */
export function hashEvent(fields: ChainedFields): string {
  const members: Record<string, string> = {
    accountId: JSON.stringify(fields.accountId),
    seq: JSON.stringify(fields.seq),
    prevHash: JSON.stringify(fields.prevHash),
    occurredAt: JSON.stringify(fields.occurredAt),
    actorKind: JSON.stringify(fields.actorKind),
    actorId: JSON.stringify(fields.actorId),
    ...(fields.actorLabelDigest
      ? { actorLabelDigest: JSON.stringify(fields.actorLabelDigest) }
      : { actorLabel: JSON.stringify(fields.actorLabel) }),
    action: JSON.stringify(fields.action),
    targetType: JSON.stringify(fields.targetType),
    targetId: JSON.stringify(fields.targetId),
    metadata: fields.metadataJson,
    requestId: JSON.stringify(fields.requestId),
  };
  const body = Object.keys(members)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${members[key]}`)
    .join(',');
  return createHash('sha256').update(`{${body}}`, 'utf8').digest('hex');
}

/**
 * SHA-256 (hex) of one link of a hash chain other than the audit log's (consent events): the
 * canonical JSON of `fields`, which hold the link's `prevHash` and `seq` with its content.
 */
export function hashLink(fields: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex');
}

/** HMAC-SHA256 (hex) over `accountId|seq|hash`: only the key holder can move a head. */
export function signHead(key: KeyObject, accountId: string, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`${accountId}|${seq}|${hash}`, 'utf8').digest('hex');
}

/** Constant-time check of a head's signature. */
export function isHeadSignatureValid(key: KeyObject, head: SignedHead): boolean {
  const expected = Buffer.from(signHead(key, head.accountId, head.seq, head.hash), 'hex');
  const actual = Buffer.from(head.signature, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Where and why a chain stops being trustworthy. */
export interface ChainBreak {
  readonly reason: ChainBreakReason;
  readonly seq: number;
}

/**
 * Checks one account's chain event by event, in seq order, holding only the last event's
 * seq and hash — so callers can feed it batches of any size.
 */
export class ChainWalker {
  private lastSeqValue = 0;
  private lastHashValue = GENESIS_HASH;

  /** Seq of the last event found intact (0 before the first). */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** Events found intact so far. */
  get eventsChecked(): number {
    return this.lastSeqValue;
  }

  /** Checks the next event; returns the break it reveals, or `null` when it extends the chain. */
  next(event: ChainedEvent): ChainBreak | null {
    const expectedSeq = this.lastSeqValue + 1;
    if (event.seq !== expectedSeq || event.prevHash !== this.lastHashValue) {
      return { reason: 'broken_link', seq: expectedSeq };
    }
    if (!labelMatchesDigest(event) || hashEvent(event) !== event.hash) {
      return { reason: 'hash_mismatch', seq: event.seq };
    }
    this.lastSeqValue = event.seq;
    this.lastHashValue = event.hash;
    return null;
  }

  /**
   * Checks the head against the last event walked. Every existing account has a head (its first
   * event creates it), so a missing one means the chain was deleted. Returns the break, or `null`
   * when the head is authentic and points at the tail.
   */
  end(key: KeyObject, head: SignedHead | null): ChainBreak | null {
    if (!head) {
      return { reason: 'missing_head', seq: 1 };
    }
    if (!isHeadSignatureValid(key, head)) {
      return { reason: 'bad_signature', seq: this.lastSeqValue + 1 };
    }
    if (head.seq !== this.lastSeqValue) {
      return { reason: 'head_mismatch', seq: Math.min(head.seq, this.lastSeqValue) + 1 };
    }
    if (head.hash !== this.lastHashValue) {
      return { reason: 'head_mismatch', seq: Math.max(head.seq, 1) };
    }
    return null;
  }
}
