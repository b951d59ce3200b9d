import { randomBytes, type KeyObject } from 'node:crypto';
import {
  Clock,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  escapeLike,
  isUniqueViolation,
  MAX_PAGE_SIZE,
  newId,
  RequestContext,
  toPage,
  TransactionHost,
  type Page,
} from '@custos/core';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditChainHead } from './audit-chain-head.entity';
import { toAuditEventDto, type AuditEventDto } from './audit-event.dto';
import { AuditEvent } from './audit-event.entity';
import { ACTION_FILTER_PATTERN } from './audit-log-query.dto';
import { sanitizeMetadata } from './audit-metadata';
import { AuditErrors } from './audit.errors';
import { signingKeyOf } from './signing-key';
import { AuditCheckpointer } from './witness/audit-checkpointer';
import type { AuditCheckpoint } from './witness/audit-witness';
import { AUDIT_MODULE_OPTIONS, type AuditModuleOptions } from './audit.module-definition';
import {
  AUDIT_ACTOR_KINDS,
  type AuditActor,
  AuditActorKind,
  AuditEventFilters,
  AuditEventInput,
  AuditPageRequest,
  ChainVerification,
} from './audit.types';
import {
  ChainWalker,
  ERASED_ACTOR_LABEL,
  GENESIS_HASH,
  actorLabelDigest,
  canonicalJson,
  hashEvent,
  isHeadSignatureValid,
  signHead,
  type ChainBreak,
  type SignedHead,
  type ChainedEvent,
  type ChainedFields,
} from './hash-chain';

/** `user.created`, `auth.login_failed`: at least two dot-separated lower-case words. */
const ACTION_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const ACTOR_KINDS: ReadonlySet<AuditActorKind> = new Set(AUDIT_ACTOR_KINDS);
/** Events verified per query: bounded memory whatever the length of the chain. */
const VERIFY_BATCH_SIZE = 1000;
/** Moves an account's chain head ($1) to seq $2, hash $3, signature $4 at $5 — if still at seq $6, hash $7. */
const MOVE_HEAD_SQL =
  'UPDATE audit_chain_head SET seq = $2, hash = $3, signature = $4, updated_at = $5 WHERE account_id = $1 AND seq = $6 AND hash = $7';
const EVENT_COLUMNS =
  'id, account_id, seq, prev_hash, hash, occurred_at, actor_kind, actor_id, actor_label, action, target_type, target_id, metadata, request_id, actor_label_salt, actor_label_digest';
/** ISO-8601 with a four-digit year: fixed width, so string order is time order. */
const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The validated, normalised content of an event, before it gets its place in the chain. */
interface Draft {
  readonly accountId: string;
  readonly actor: AuditActor;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly metadataJson: string;
  readonly requestId: string | null;
}

/** An event row exactly as stored, for verification. */
interface RawEventRow {
  accountId: string;
  seq: string | number;
  prevHash: string;
  hash: string;
  occurredAt: string;
  actorKind: string;
  actorId: string;
  actorLabel: string;
  actorLabelSalt: string | null;
  actorLabelDigest: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  metadata: string;
  requestId: string | null;
}

function checkLength(value: string, field: string, max: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw AuditErrors.invalidField(
      field,
      `must be a non-empty string of at most ${max} characters`,
    );
  }
}

function isoBound(value: Date, field: string): string {
  const time = value instanceof Date ? value.getTime() : Number.NaN;
  if (!(time >= MIN_TIME && time <= MAX_TIME)) {
    throw AuditErrors.invalidTime(field);
  }
  return value.toISOString();
}

function storedEventOf(row: RawEventRow): ChainedEvent {
  return {
    accountId: row.accountId,
    seq: Number(row.seq),
    prevHash: row.prevHash,
    hash: row.hash,
    occurredAt: row.occurredAt,
    actorKind: row.actorKind,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    actorLabelSalt: row.actorLabelSalt,
    actorLabelDigest: row.actorLabelDigest,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    metadataJson: row.metadata,
    requestId: row.requestId,
  };
}

/**
 * Records, lists and verifies the audit events of an account. Each event is appended to the
 * account's hash chain in the caller's transaction, so a change and its audit event are
 * committed — or rolled back — together.
 */
@Injectable()
export class AuditService {
  private readonly signingKey: KeyObject;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly checkpoints: AuditCheckpointer,
    @Inject(AUDIT_MODULE_OPTIONS) options: AuditModuleOptions,
  ) {
    this.signingKey = signingKeyOf(options);
  }

  /**
   * Appends an event to the account's chain, joining the current transaction (or, where needed,
   * opening one). The actor and account default to the request context's. The head moves with a
   * compare-and-set (its seq and hash as read), so the common case costs one head read and one
   * write statement; when another writer moved the head first, the append retries under
   * the head's row lock, which on PostgreSQL stays taken until the transaction ends — so record
   * as the last step of a change.
   */
  async record(input: AuditEventInput): Promise<AuditEventDto> {
    const draft = this.draft(input);
    if (this.transactions.isPostgres && !this.transactions.inTransaction) {
      // On its own, the compare-and-set is one atomic statement: no transaction to open.
      const appended = await this.appendToHeadAsRead(draft);
      if (appended) {
        return appended;
      }
    }
    return this.transactions.run(
      async (manager) =>
        (await this.appendToHeadAsRead(draft)) ?? (await this.appendToLockedHead(manager, draft)),
    );
  }

  /** The append without a lock: `null` when the head is missing or moved since it was read. */
  private async appendToHeadAsRead(draft: Draft): Promise<AuditEventDto | null> {
    const [row] = await this.transactions.queryPrepared<{
      seq: string | number;
      hash: string;
      signature: string;
    }>(
      'audit_chain_head_read',
      'SELECT seq, hash, signature FROM audit_chain_head WHERE account_id = $1',
      [draft.accountId],
    );
    return row
      ? this.appendAfter({ ...row, accountId: draft.accountId, seq: Number(row.seq) }, draft)
      : null;
  }

  private async appendToLockedHead(manager: EntityManager, draft: Draft): Promise<AuditEventDto> {
    const appended = await this.appendAfter(await this.lockHead(manager, draft.accountId), draft);
    if (!appended) {
      // The head is locked, so only a change made outside Custos can have moved it.
      throw AuditErrors.chainConflict();
    }
    return appended;
  }

  /** Appends the event after `head` and moves the head to it, unless the head is no longer `head`. */
  private async appendAfter(head: SignedHead, draft: Draft): Promise<AuditEventDto | null> {
    if (!isHeadSignatureValid(this.signingKey, head)) {
      // Extending a forged head would sign the forgery; refuse until an operator steps in.
      throw AuditErrors.chainHeadInvalid();
    }
    const occurredAt = this.clock.now();
    const labelSalt = randomBytes(16).toString('hex');
    const fields: ChainedFields = {
      accountId: draft.accountId,
      seq: head.seq + 1,
      prevHash: head.hash,
      occurredAt: occurredAt.toISOString(),
      actorKind: draft.actor.kind,
      actorId: draft.actor.id,
      actorLabel: draft.actor.label,
      actorLabelDigest: actorLabelDigest(labelSalt, draft.actor.label),
      action: draft.action,
      targetType: draft.targetType,
      targetId: draft.targetId,
      metadataJson: draft.metadataJson,
      requestId: draft.requestId,
    };
    const event = Object.assign(new AuditEvent(), {
      id: newId(),
      accountId: fields.accountId,
      seq: fields.seq,
      prevHash: fields.prevHash,
      hash: hashEvent(fields),
      occurredAt,
      actorKind: draft.actor.kind,
      actorId: fields.actorId,
      actorLabel: fields.actorLabel,
      actorLabelSalt: labelSalt,
      actorLabelDigest: fields.actorLabelDigest ?? null,
      action: fields.action,
      targetType: fields.targetType,
      targetId: fields.targetId,
      metadata: JSON.parse(fields.metadataJson) as Record<string, unknown>,
      requestId: fields.requestId,
    });
    const headMove = [
      event.accountId,
      event.seq,
      event.hash,
      signHead(this.signingKey, event.accountId, event.seq, event.hash),
      fields.occurredAt,
      head.seq,
      head.hash,
    ];
    const eventValues = [
      event.id,
      event.actorKind,
      event.actorId,
      event.actorLabel,
      event.action,
      event.targetType,
      event.targetId,
      fields.metadataJson,
      event.requestId,
      event.actorLabelSalt,
      event.actorLabelDigest,
    ];
    try {
      if (this.transactions.isPostgres) {
        const inserted = await this.transactions.queryPrepared(
          'audit_event_append',
          `WITH moved AS (${MOVE_HEAD_SQL} RETURNING account_id)
           INSERT INTO audit_event (${EVENT_COLUMNS})
           SELECT $8, account_id, $2, $7, $3, $5, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18 FROM moved
           RETURNING seq`,
          [...headMove, ...eventValues],
        );
        return inserted.length === 1 ? toAuditEventDto(event) : null;
      }
      const moved = await this.transactions.queryPrepared(
        'audit_chain_head_move',
        `${MOVE_HEAD_SQL} RETURNING seq`,
        headMove,
      );
      if (moved.length !== 1) {
        return null;
      }
      await this.transactions.queryPrepared(
        'audit_event_insert',
        `INSERT INTO audit_event (${EVENT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          event.id,
          event.accountId,
          event.seq,
          event.prevHash,
          event.hash,
          fields.occurredAt,
          ...eventValues.slice(1),
        ],
      );
      return toAuditEventDto(event);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw AuditErrors.chainConflict();
      }
      throw error;
    }
  }

  /**
   * Erases the label of every event an actor (a user erased as a data subject) appended in the
   * account: the label becomes {@link ERASED_ACTOR_LABEL} and its salt goes, in `manager`'s
   * transaction. The hash covers the label's salted digest, so the chain still verifies while
   * nothing left names the actor. Events appended before labels had a digest hash the label
   * itself and cannot change without breaking the chain: they are counted in `kept`.
   */
  async eraseActorLabels(
    manager: EntityManager,
    accountId: string,
    actorId: string,
  ): Promise<{ erased: number; kept: number }> {
    const erased = await manager
      .createQueryBuilder()
      .update(AuditEvent)
      .set({ actorLabel: ERASED_ACTOR_LABEL, actorLabelSalt: null })
      .where('account_id = :accountId AND actor_id = :actorId', { accountId, actorId })
      .andWhere('actor_label_digest IS NOT NULL AND actor_label_salt IS NOT NULL')
      .execute();
    const kept = await manager
      .createQueryBuilder(AuditEvent, 'event')
      .where('event.accountId = :accountId AND event.actorId = :actorId', { accountId, actorId })
      .andWhere('event.actorLabelDigest IS NULL')
      .getCount();
    return { erased: erased.affected ?? 0, kept };
  }

  /** A page of the account's events, newest first, filtered; `after` is the previous page's cursor. */
  async query(
    accountId: string,
    filters: AuditEventFilters = {},
    page: AuditPageRequest = {},
  ): Promise<Page<AuditEventDto>> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw AuditErrors.invalidLimit(MAX_PAGE_SIZE);
    }
    const builder = this.transactions.manager
      .createQueryBuilder(AuditEvent, 'event')
      .where('event.accountId = :accountId', { accountId });
    if (filters.actorId !== undefined) {
      builder.andWhere('event.actorId = :actorId', { actorId: filters.actorId });
    }
    if (filters.action !== undefined) {
      if (!ACTION_FILTER_PATTERN.test(filters.action)) {
        throw AuditErrors.invalidActionFilter('action');
      }
      if (filters.action.endsWith('.')) {
        // Actions are lower-case by construction, so SQLite's case-blind LIKE is exact here too.
        builder.andWhere("event.action LIKE :actionPrefix ESCAPE '\\'", {
          actionPrefix: `${escapeLike(filters.action)}%`,
        });
      } else {
        builder.andWhere('event.action = :action', { action: filters.action });
      }
    }
    if (filters.targetType !== undefined) {
      builder.andWhere('event.targetType = :targetType', { targetType: filters.targetType });
    }
    if (filters.targetId !== undefined) {
      builder.andWhere('event.targetId = :targetId', { targetId: filters.targetId });
    }
    const from = filters.from === undefined ? undefined : isoBound(filters.from, 'from');
    const to = filters.to === undefined ? undefined : isoBound(filters.to, 'to');
    if (from !== undefined && to !== undefined && from >= to) {
      throw AuditErrors.invalidTimeRange();
    }
    if (from !== undefined) {
      builder.andWhere('event.occurredAt >= :from', { from });
    }
    if (to !== undefined) {
      builder.andWhere('event.occurredAt < :to', { to });
    }
    if (page.after !== undefined) {
      const [afterSeq] = decodeCursor(page.after, 1);
      if (typeof afterSeq !== 'number' || !Number.isSafeInteger(afterSeq)) {
        throw AuditErrors.invalidCursor();
      }
      builder.andWhere('event.seq < :afterSeq', { afterSeq });
    }
    const rows = await builder
      .orderBy('event.seq', 'DESC')
      .limit(limit + 1)
      .getMany();
    return toPage(rows, limit, (row) => [row.seq], toAuditEventDto);
  }

  /**
   * Walks the account's chain in seq order, in batches, recomputing every hash and link, then
   * checks the signed head against the last event and against the witness's newest checkpoint
   * (a head behind it, or a chain that no longer holds the checkpointed event, was rolled back).
   * Reports the first break found; a valid chain's head is checkpointed.
   */
  async verify(accountId: string): Promise<ChainVerification> {
    const manager = this.transactions.manager;
    const checkpoint = await this.checkpoints.newest(accountId);
    const walker = new ChainWalker();
    let checkpointedHash: string | null = null;
    let head: AuditChainHead | null = null;
    let previousHeadSeq = -1;
    for (;;) {
      const batch = await this.eventBatch(manager, accountId, walker.lastSeq);
      for (const row of batch) {
        const event = storedEventOf(row);
        const broken = walker.next(event);
        if (broken) {
          head = await manager.findOneBy(AuditChainHead, { accountId });
          return this.verification(walker, head, checkpoint, broken);
        }
        if (event.seq === checkpoint?.seq) {
          checkpointedHash = event.hash;
        }
      }
      if (batch.length === VERIFY_BATCH_SIZE) {
        continue;
      }
      head = await manager.findOneBy(AuditChainHead, { accountId });
      const headSeq = head?.seq ?? 0;
      if (headSeq > walker.lastSeq && headSeq !== previousHeadSeq) {
        // Events were appended while we walked: walk on to the new head.
        previousHeadSeq = headSeq;
        continue;
      }
      const broken =
        walker.end(this.signingKey, head) ??
        this.behindCheckpoint(walker, checkpoint, checkpointedHash);
      if (!broken && head) {
        await this.checkpoints.checkpoint(head);
      }
      return this.verification(walker, head, checkpoint, broken);
    }
  }

  /** The break when the chain walked no longer holds the checkpointed event; `null` when it does. */
  private behindCheckpoint(
    walker: ChainWalker,
    checkpoint: AuditCheckpoint | null,
    checkpointedHash: string | null,
  ): ChainBreak | null {
    // Its signature is not checked: a master-key rotation re-signs heads, never their seq and
    // hash, and a line forged in the witness could only raise an alarm, not hide a rollback.
    if (!checkpoint) {
      return null;
    }
    return checkpointedHash === checkpoint.hash
      ? null
      : { reason: 'rolled_back', seq: Math.min(walker.lastSeq + 1, checkpoint.seq) };
  }

  private verification(
    walker: ChainWalker,
    head: AuditChainHead | null,
    checkpoint: AuditCheckpoint | null,
    broken: ChainBreak | null,
  ): ChainVerification {
    const result = {
      eventsChecked: walker.eventsChecked,
      headSeq: head?.seq ?? 0,
      ...(checkpoint ? { checkpointSeq: checkpoint.seq } : {}),
    };
    return broken
      ? { valid: false, ...result, firstBrokenSeq: broken.seq, reason: broken.reason }
      : { valid: true, ...result };
  }

  private eventBatch(
    manager: EntityManager,
    accountId: string,
    afterSeq: number,
  ): Promise<RawEventRow[]> {
    return manager
      .createQueryBuilder(AuditEvent, 'event')
      .select('event.accountId', 'accountId')
      .addSelect('event.seq', 'seq')
      .addSelect('event.prevHash', 'prevHash')
      .addSelect('event.hash', 'hash')
      .addSelect('event.occurredAt', 'occurredAt')
      .addSelect('event.actorKind', 'actorKind')
      .addSelect('event.actorId', 'actorId')
      .addSelect('event.actorLabel', 'actorLabel')
      .addSelect('event.actorLabelSalt', 'actorLabelSalt')
      .addSelect('event.actorLabelDigest', 'actorLabelDigest')
      .addSelect('event.action', 'action')
      .addSelect('event.targetType', 'targetType')
      .addSelect('event.targetId', 'targetId')
      .addSelect('event.metadata', 'metadata')
      .addSelect('event.requestId', 'requestId')
      .where('event.accountId = :accountId', { accountId })
      .andWhere('event.seq > :afterSeq', { afterSeq })
      .orderBy('event.seq', 'ASC')
      .limit(VERIFY_BATCH_SIZE)
      .getRawMany<RawEventRow>();
  }

  /**
   * The account's chain head, locked for this transaction. PostgreSQL: `SELECT … FOR UPDATE`,
   * creating the row first with `INSERT … ON CONFLICT DO NOTHING` so that two first events
   * racing for a new account both end up waiting on the same row. SQLite: TransactionHost
   * already runs one transaction at a time.
   */
  private async lockHead(manager: EntityManager, accountId: string): Promise<AuditChainHead> {
    const existing = await this.selectHead(manager, accountId);
    if (existing) {
      return existing;
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(AuditChainHead)
      .values({
        accountId,
        seq: 0,
        hash: GENESIS_HASH,
        signature: signHead(this.signingKey, accountId, 0, GENESIS_HASH),
        updatedAt: this.clock.now(),
      })
      .orIgnore()
      .execute();
    const created = await this.selectHead(manager, accountId);
    if (!created) {
      throw new Error(`The audit chain head of account ${accountId} could not be created.`);
    }
    return created;
  }

  private selectHead(manager: EntityManager, accountId: string): Promise<AuditChainHead | null> {
    const builder = manager
      .createQueryBuilder(AuditChainHead, 'head')
      .where('head.accountId = :accountId', { accountId });
    if (this.transactions.isPostgres) {
      builder.setLock('pessimistic_write');
    }
    return builder.getOne();
  }

  private draft(input: AuditEventInput): Draft {
    if (
      typeof input.action !== 'string' ||
      input.action.length > 100 ||
      !ACTION_PATTERN.test(input.action)
    ) {
      throw AuditErrors.invalidAction('action');
    }
    const bound = this.context.actor;
    const actor = input.actor ?? this.context.requireActor();
    const accountId = input.accountId ?? bound?.accountId;
    if (accountId === undefined) {
      throw AuditErrors.invalidField(
        'accountId',
        'is required when no actor is bound to the request context',
      );
    }
    if (input.actor === undefined && bound !== undefined && accountId !== bound.accountId) {
      throw AuditErrors.crossAccount();
    }
    checkLength(accountId, 'accountId', 36);
    if (!ACTOR_KINDS.has(actor.kind)) {
      throw AuditErrors.invalidField('actor.kind', `must be one of ${[...ACTOR_KINDS].join(', ')}`);
    }
    checkLength(actor.id, 'actor.id', 255);
    checkLength(actor.label, 'actor.label', 255);
    if (input.targetId !== undefined && input.targetType === undefined) {
      throw AuditErrors.invalidField('targetType', 'is required when targetId is given');
    }
    if (input.targetType !== undefined) {
      checkLength(input.targetType, 'targetType', 64);
    }
    if (input.targetId !== undefined) {
      checkLength(input.targetId, 'targetId', 255);
    }
    return {
      accountId,
      actor: { kind: actor.kind, id: actor.id, label: actor.label },
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      metadataJson: canonicalJson(sanitizeMetadata(input.metadata)),
      requestId: this.context.requestId?.slice(0, 100) ?? null,
    };
  }
}
