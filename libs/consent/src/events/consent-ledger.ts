import type { KeyObject } from 'node:crypto';
import { createHash, createSecretKey } from 'node:crypto';
import {
  GENESIS_HASH,
  canonicalJson,
  hashLink,
  isHeadSignatureValid,
  signHead,
  type ChainBreakReason,
} from '@custos/audit';
import {
  Clock,
  DEFAULT_PAGE_SIZE,
  TransactionHost,
  decodeCursor,
  deriveKey,
  newId,
  toPage,
  type Page,
} from '@custos/core';
import { Inject, Injectable } from '@nestjs/common';
import { ConsentErrors } from '../consent.errors';
import { CONSENT_MODULE_OPTIONS, type ConsentModuleOptions } from '../consent.module-definition';
import type { ConsentChannel, ConsentProof, ConsentSource, ConsentStatus } from '../consent.types';

/** One event to append; the ledger gives it its place in the chain. */
export interface ConsentEventInput {
  /** The event's id when the caller needs it beforehand (to name it in an audit event). */
  id?: string;
  accountId: string;
  contactId: string;
  purposeId: string;
  channel: ConsentChannel;
  /** Normalised; '' (the default) covers every address of the contact on the channel. */
  address?: string;
  status: ConsentStatus;
  source: ConsentSource;
  noticeVersion?: number | null;
  actorKind: string;
  actorId: string;
  /** Already truncated. */
  ip?: string | null;
  userAgent?: string | null;
  proof?: ConsentProof | null;
  effectiveFrom?: Date;
  effectiveTo?: Date | null;
  confirmedAt?: Date | null;
}

/** A stored event, as the chain hashes it (times as stored ISO text). */
export interface ConsentEventRow {
  id: string;
  accountId: string;
  seq: number;
  prevHash: string;
  hash: string;
  contactId: string;
  purposeId: string;
  channel: ConsentChannel;
  address: string;
  status: ConsentStatus;
  source: ConsentSource;
  noticeVersion: number | null;
  actorKind: string;
  actorId: string;
  ip: string | null;
  userAgent: string | null;
  proof: string | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  confirmedAt: string | null;
  occurredAt: string;
  /**
   * SHA-256 of the personal part (address, ip, user agent, proof), which the chain hashes in its
   * place; `null` on events appended before erasure existed (their hash covers those columns).
   */
  personalDigest: string | null;
  /** When erasure dropped the personal part (the digest stays); `null` otherwise. */
  erasedAt: string | null;
}

/** A materialised state row (times as stored ISO text). */
export interface ConsentStateRow {
  contactId: string;
  purposeId: string;
  channel: ConsentChannel;
  address: string;
  status: ConsentStatus;
  seq: number;
  eventId: string;
  noticeVersion: number | null;
  effectiveFrom: string;
  effectiveTo: string | null;
}

/**
 * Why the consent log does not verify: a break of the chain (as the audit log's), or
 * `partial_erasure` (an event erased while an earlier one of its contact was not: erasure takes all
 * of a contact's events at once) or `state_mismatch` (a stored state is not the replay of the
 * events: what the gate and the audience read was changed behind the chain's back).
 */
export type ConsentBreakReason = ChainBreakReason | 'partial_erasure' | 'state_mismatch';

/** The outcome of {@link ConsentLedger.verify}, shaped like the audit log's. */
export interface ConsentChainVerification {
  valid: boolean;
  eventsChecked: number;
  headSeq: number;
  firstBrokenSeq?: number;
  reason?: ConsentBreakReason;
}

interface HeadRow {
  seq: number | string;
  hash: string;
  signature: string;
}

const EVENT_COLUMNS =
  'id, account_id AS "accountId", seq, prev_hash AS "prevHash", hash, contact_id AS "contactId", purpose_id AS "purposeId", channel, address, status, source, notice_version AS "noticeVersion", actor_kind AS "actorKind", actor_id AS "actorId", ip, user_agent AS "userAgent", proof, effective_from AS "effectiveFrom", effective_to AS "effectiveTo", confirmed_at AS "confirmedAt", occurred_at AS "occurredAt", personal_digest AS "personalDigest", erased_at AS "erasedAt"';
export const STATE_COLUMNS =
  'contact_id AS "contactId", purpose_id AS "purposeId", channel, address, status, seq, event_id AS "eventId", notice_version AS "noticeVersion", effective_from AS "effectiveFrom", effective_to AS "effectiveTo"';
const VERIFY_BATCH = 1000;

/**
 * The state the events imply, as rows of `consent_state` (its columns, in its order): the last
 * event of each key by seq, erased events left out. The one replay rule of the materialised state
 * (rebuilt from it, verified against it).
 */
const REPLAYED_STATES = `SELECT e.account_id, e.contact_id, e.purpose_id, e.channel, e.address, e.status, e.seq, e.id AS event_id, e.notice_version, e.effective_from, e.effective_to
  FROM consent_event e
  WHERE e.account_id = $1 AND e.erased_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM consent_event l
    WHERE l.account_id = e.account_id AND l.contact_id = e.contact_id AND l.purpose_id = e.purpose_id
      AND l.channel = e.channel AND l.address = e.address AND l.erased_at IS NULL AND l.seq > e.seq)`;
const STORED_STATES =
  'SELECT account_id, contact_id, purpose_id, channel, address, status, seq, event_id, notice_version, effective_from, effective_to FROM consent_state WHERE account_id = $1';

type UnhashedEvent = Omit<ConsentEventRow, 'hash'>;

/** The personal part of an event: what erasure drops. */
function personalPartOf(row: UnhashedEvent): Record<string, unknown> {
  return { address: row.address, ip: row.ip, userAgent: row.userAgent, proof: row.proof };
}

/** The digest the chain keeps of the personal part. */
export function personalDigestOf(row: UnhashedEvent): string {
  return createHash('sha256')
    .update(canonicalJson(personalPartOf(row)))
    .digest('hex');
}

/**
 * The hashed content of an event. With a personal digest: every column but the personal part,
 * its digest in its place (so erasure can drop the part and keep the chain); without one (events
 * from before): every stored column.
 */
function linkOf(row: UnhashedEvent): Record<string, unknown> {
  const link: Record<string, unknown> = {
    ...row,
    seq: Number(row.seq),
    noticeVersion: row.noticeVersion,
  };
  delete link.erasedAt;
  delete link.personalDigest;
  if (row.personalDigest === null) {
    return link;
  }
  for (const key of Object.keys(personalPartOf(row))) {
    delete link[key];
  }
  return { ...link, personalDigest: row.personalDigest };
}

/** What an erased event keeps of its personal part. */
const ERASED_PART = { address: '', ip: null, userAgent: null, proof: null };

/**
 * Whether a stored event is intact: its personal part matches its digest (or, once erased, is
 * empty) and its hash covers the rest. An erased event from before the digest existed can only be
 * checked by its links (its hash covered the part erasure dropped).
 */
function isIntact(event: ConsentEventRow): boolean {
  const { hash, ...unhashed } = event;
  if (event.erasedAt !== null) {
    const emptied = Object.entries(ERASED_PART).every(
      ([key, value]) => unhashed[key as keyof typeof ERASED_PART] === value,
    );
    return emptied && (event.personalDigest === null || hashLink(linkOf(unhashed)) === hash);
  }
  if (event.personalDigest !== null && personalDigestOf(unhashed) !== event.personalDigest) {
    return false;
  }
  return hashLink(linkOf(unhashed)) === hash;
}

export function eventRowOf(raw: Record<string, unknown>): ConsentEventRow {
  const row = raw as unknown as ConsentEventRow;
  return {
    ...row,
    seq: Number(row.seq),
    noticeVersion: row.noticeVersion === null ? null : Number(row.noticeVersion),
  };
}

export function stateRowOf(raw: Record<string, unknown>): ConsentStateRow {
  const row = raw as unknown as ConsentStateRow;
  return {
    ...row,
    seq: Number(row.seq),
    noticeVersion: row.noticeVersion === null ? null : Number(row.noticeVersion),
  };
}

/**
 * The append-only consent event log of each account, chained by hash like the audit log (same
 * canonical JSON and head signature from `@custos/audit`), and the materialised current state,
 * written in the event's transaction: state = the last event of each contact × purpose × channel
 * × address. Appends of one account are serialised by the row lock on its chain head (SQLite
 * serialises transactions), so the state can never disagree with the replay of the events.
 */
@Injectable()
export class ConsentLedger {
  private readonly headKey: KeyObject;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly clock: Clock,
    @Inject(CONSENT_MODULE_OPTIONS) options: ConsentModuleOptions,
  ) {
    this.headKey = createSecretKey(deriveKey(options.secret, 'custos/consent-chain-head'));
  }

  /** Appends the event and moves the state, in the current transaction (or one of its own). */
  append(input: ConsentEventInput): Promise<ConsentEventRow> {
    return this.transactions.run(async () => {
      const head = await this.lockHead(input.accountId);
      const now = this.clock.now().toISOString();
      const unhashed: Omit<ConsentEventRow, 'hash'> = {
        id: input.id ?? newId(),
        accountId: input.accountId,
        seq: head.seq + 1,
        prevHash: head.hash,
        contactId: input.contactId,
        purposeId: input.purposeId,
        channel: input.channel,
        address: input.address ?? '',
        status: input.status,
        source: input.source,
        noticeVersion: input.noticeVersion ?? null,
        actorKind: input.actorKind,
        actorId: input.actorId,
        ip: input.ip ?? null,
        userAgent: input.userAgent ? input.userAgent.slice(0, 512) : null,
        proof: input.proof ? canonicalJson(input.proof) : null,
        effectiveFrom: (input.effectiveFrom ?? this.clock.now()).toISOString(),
        effectiveTo: input.effectiveTo ? input.effectiveTo.toISOString() : null,
        confirmedAt: input.confirmedAt ? input.confirmedAt.toISOString() : null,
        occurredAt: now,
        personalDigest: null,
        erasedAt: null,
      };
      unhashed.personalDigest = personalDigestOf(unhashed);
      const event: ConsentEventRow = { ...unhashed, hash: hashLink(linkOf(unhashed)) };
      await this.transactions.queryPrepared(
        'consent_event_insert',
        'INSERT INTO consent_event (id, account_id, seq, prev_hash, hash, contact_id, purpose_id, channel, address, status, source, notice_version, actor_kind, actor_id, ip, user_agent, proof, effective_from, effective_to, confirmed_at, occurred_at, personal_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)',
        [
          event.id,
          event.accountId,
          event.seq,
          event.prevHash,
          event.hash,
          event.contactId,
          event.purposeId,
          event.channel,
          event.address,
          event.status,
          event.source,
          event.noticeVersion,
          event.actorKind,
          event.actorId,
          event.ip,
          event.userAgent,
          event.proof,
          event.effectiveFrom,
          event.effectiveTo,
          event.confirmedAt,
          event.occurredAt,
          event.personalDigest,
        ],
      );
      await this.transactions.queryPrepared(
        'consent_state_upsert',
        'INSERT INTO consent_state (account_id, contact_id, purpose_id, channel, address, status, seq, event_id, notice_version, effective_from, effective_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (account_id, contact_id, purpose_id, channel, address) DO UPDATE SET status = excluded.status, seq = excluded.seq, event_id = excluded.event_id, notice_version = excluded.notice_version, effective_from = excluded.effective_from, effective_to = excluded.effective_to',
        [
          event.accountId,
          event.contactId,
          event.purposeId,
          event.channel,
          event.address,
          event.status,
          event.seq,
          event.id,
          event.noticeVersion,
          event.effectiveFrom,
          event.effectiveTo,
        ],
      );
      await this.transactions.queryPrepared(
        'consent_head_move',
        'UPDATE consent_chain_head SET seq = $2, hash = $3, signature = $4, updated_at = $5 WHERE account_id = $1',
        [
          event.accountId,
          event.seq,
          event.hash,
          signHead(this.headKey, event.accountId, event.seq, event.hash),
          now,
        ],
      );
      return event;
    });
  }

  /** The account's head, locked until the transaction ends; created (genesis) on first use. */
  private async lockHead(accountId: string): Promise<{ seq: number; hash: string }> {
    const lock = this.transactions.isPostgres ? ' FOR UPDATE' : '';
    const read = () =>
      this.transactions.queryPrepared<HeadRow>(
        `consent_head_lock`,
        `SELECT seq, hash, signature FROM consent_chain_head WHERE account_id = $1${lock}`,
        [accountId],
      );
    let [row] = await read();
    if (!row) {
      await this.transactions.queryPrepared(
        'consent_head_create',
        'INSERT INTO consent_chain_head (account_id, seq, hash, signature, updated_at) VALUES ($1, 0, $2, $3, $4) ON CONFLICT (account_id) DO NOTHING',
        [
          accountId,
          GENESIS_HASH,
          signHead(this.headKey, accountId, 0, GENESIS_HASH),
          this.clock.now().toISOString(),
        ],
      );
      [row] = await read();
    }
    const head = { accountId, seq: Number(row.seq), hash: row.hash, signature: row.signature };
    if (!isHeadSignatureValid(this.headKey, head)) {
      // Extending a forged head would sign the forgery.
      throw ConsentErrors.chainHeadInvalid();
    }
    return head;
  }

  /** The contact's events, in chain order. */
  async eventsOf(accountId: string, contactId: string): Promise<ConsentEventRow[]> {
    const rows = await this.transactions.queryPrepared<Record<string, unknown>>(
      'consent_events_of_contact',
      `SELECT ${EVENT_COLUMNS} FROM consent_event WHERE account_id = $1 AND contact_id = $2 ORDER BY seq`,
      [accountId, contactId],
    );
    return rows.map(eventRowOf);
  }

  /** A page of the contact's events, in chain order (keyset on seq). */
  async eventPage(
    accountId: string,
    contactId: string,
    page: { limit?: number; after?: string },
  ): Promise<Page<ConsentEventRow>> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const after = page.after === undefined ? 0 : Number(decodeCursor(page.after, 1)[0]);
    const rows = await this.transactions.queryPrepared<Record<string, unknown>>(
      'consent_event_page',
      `SELECT ${EVENT_COLUMNS} FROM consent_event WHERE account_id = $1 AND contact_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
      [accountId, contactId, Number.isSafeInteger(after) ? after : 0, limit + 1],
    );
    return toPage(
      rows.map(eventRowOf),
      limit,
      (e) => [e.seq],
      (e) => e,
    );
  }

  /** One event of the account, or `null`. */
  async event(accountId: string, id: string): Promise<ConsentEventRow | null> {
    const [row] = await this.transactions.queryPrepared<Record<string, unknown>>(
      'consent_event_by_id',
      `SELECT ${EVENT_COLUMNS} FROM consent_event WHERE account_id = $1 AND id = $2`,
      [accountId, id],
    );
    return row ? eventRowOf(row) : null;
  }

  /** The stored states of a contact (every purpose, channel and address). */
  async statesOf(accountId: string, contactId: string): Promise<ConsentStateRow[]> {
    const rows = await this.transactions.queryPrepared<Record<string, unknown>>(
      'consent_states_of_contact',
      `SELECT ${STATE_COLUMNS} FROM consent_state WHERE account_id = $1 AND contact_id = $2 ORDER BY purpose_id, channel, address`,
      [accountId, contactId],
    );
    return rows.map(stateRowOf);
  }

  /** Every stored state of the account, in key order (for checks against a replay). */
  async storedStates(accountId: string): Promise<ConsentStateRow[]> {
    const rows = await this.transactions.manager.query<Record<string, unknown>[]>(
      this.sql(
        `SELECT ${STATE_COLUMNS} FROM consent_state WHERE account_id = $1 ORDER BY contact_id, purpose_id, channel, address`,
      ),
      [accountId],
    );
    return rows.map(stateRowOf);
  }

  /**
   * Rebuilds the account's materialised state from its events alone (the last event of each key
   * by seq), in one transaction; returns how many states it wrote.
   */
  rebuildStates(accountId: string): Promise<number> {
    return this.transactions.run(async (manager) => {
      await manager.query(this.sql('DELETE FROM consent_state WHERE account_id = $1'), [accountId]);
      await manager.query(
        this.sql(
          `INSERT INTO consent_state (account_id, contact_id, purpose_id, channel, address, status, seq, event_id, notice_version, effective_from, effective_to) ${REPLAYED_STATES}`,
        ),
        [accountId],
      );
      const [{ count }] = await manager.query<{ count: string | number }[]>(
        this.sql('SELECT COUNT(*) AS count FROM consent_state WHERE account_id = $1'),
        [accountId],
      );
      return Number(count);
    });
  }

  /**
   * Erases the contact's consent history, in the current transaction: each event drops its
   * personal part (address, ip, user agent, proof) and keeps its digest, so the chain still
   * verifies (and still detects a change to what is left); the contact's states go. Idempotent.
   * Returns how many events it erased.
   */
  async eraseContact(accountId: string, contactId: string): Promise<number> {
    const manager = this.transactions.manager;
    const [{ count }] = await manager.query<{ count: string | number }[]>(
      this.sql(
        'SELECT COUNT(*) AS count FROM consent_event WHERE account_id = $1 AND contact_id = $2 AND erased_at IS NULL',
      ),
      [accountId, contactId],
    );
    await manager.query(
      this.sql(
        "UPDATE consent_event SET address = '', ip = NULL, user_agent = NULL, proof = NULL, erased_at = $1 WHERE account_id = $2 AND contact_id = $3 AND erased_at IS NULL",
      ),
      [this.clock.now().toISOString(), accountId, contactId],
    );
    await manager.query(
      this.sql('DELETE FROM consent_state WHERE account_id = $1 AND contact_id = $2'),
      [accountId, contactId],
    );
    return Number(count);
  }

  /**
   * Walks the account's chain in batches: each event's hash over its stored columns, each link
   * to its predecessor, and the signed head pointing at the last one; then that erasures took
   * whole contacts and that the stored states are the replay of the events (what the gate and
   * the audience read is the chain's, not a row edited beside it).
   */
  async verify(accountId: string): Promise<ConsentChainVerification> {
    const chain = await this.verifyChain(accountId);
    if (!chain.valid) {
      return chain;
    }
    const broken = (reason: ConsentBreakReason, seq: number | string | null) => ({
      ...chain,
      valid: false,
      firstBrokenSeq: seq === null ? chain.headSeq : Number(seq),
      reason,
    });
    const manager = this.transactions.manager;
    // The hash leaves `erased_at` out (erasure must keep the chain): an event erased alone, with
    // an earlier one of its contact kept, is no erasure but an event hidden from the replay.
    const [partial] = await manager.query<{ seq: number | string }[]>(
      this.sql(
        `SELECT MIN(e.seq) AS seq FROM consent_event e
         WHERE e.account_id = $1 AND e.erased_at IS NOT NULL AND EXISTS (
           SELECT 1 FROM consent_event k
           WHERE k.account_id = e.account_id AND k.contact_id = e.contact_id AND k.seq < e.seq AND k.erased_at IS NULL)`,
      ),
      [accountId],
    );
    if (partial && partial.seq !== null) {
      return broken('partial_erasure', partial.seq);
    }
    // One statement, so one snapshot of both tables: an append meanwhile moves both or neither.
    const [differing] = await manager.query<{ n: number | string; seq: number | string | null }[]>(
      this.sql(
        `SELECT COUNT(*) AS n, MIN(d.seq) AS seq FROM (
           SELECT s.seq FROM (${STORED_STATES} EXCEPT ${REPLAYED_STATES}) s
           UNION ALL
           SELECT r.seq FROM (${REPLAYED_STATES} EXCEPT ${STORED_STATES}) r) d`,
      ),
      // SQLite's `?` are positional: the account once for each of the four selections.
      this.transactions.isPostgres ? [accountId] : Array<string>(4).fill(accountId),
    );
    if (Number(differing.n) > 0) {
      return broken('state_mismatch', differing.seq);
    }
    return chain;
  }

  private async verifyChain(accountId: string): Promise<ConsentChainVerification> {
    const manager = this.transactions.manager;
    let lastSeq = 0;
    let lastHash = GENESIS_HASH;
    const broken = (reason: ChainBreakReason, seq: number, headSeq: number) => ({
      valid: false,
      eventsChecked: lastSeq,
      headSeq,
      firstBrokenSeq: seq,
      reason,
    });
    const [headRow] = await manager.query<HeadRow[]>(
      this.sql('SELECT seq, hash, signature FROM consent_chain_head WHERE account_id = $1'),
      [accountId],
    );
    const headSeq = headRow ? Number(headRow.seq) : 0;
    for (;;) {
      const batch = (
        await manager.query<Record<string, unknown>[]>(
          this.sql(
            `SELECT ${EVENT_COLUMNS} FROM consent_event WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT ${VERIFY_BATCH}`,
          ),
          [accountId, lastSeq],
        )
      ).map(eventRowOf);
      for (const event of batch) {
        if (event.seq !== lastSeq + 1 || event.prevHash !== lastHash) {
          return broken('broken_link', lastSeq + 1, headSeq);
        }
        if (!isIntact(event)) {
          return broken('hash_mismatch', event.seq, headSeq);
        }
        lastSeq = event.seq;
        lastHash = event.hash;
      }
      if (batch.length < VERIFY_BATCH) {
        break;
      }
    }
    if (!headRow) {
      return lastSeq === 0
        ? { valid: true, eventsChecked: 0, headSeq: 0 }
        : broken('missing_head', 1, 0);
    }
    const head = { accountId, seq: headSeq, hash: headRow.hash, signature: headRow.signature };
    if (!isHeadSignatureValid(this.headKey, head)) {
      return broken('bad_signature', lastSeq + 1, headSeq);
    }
    if (head.seq !== lastSeq || head.hash !== lastHash) {
      return broken('head_mismatch', Math.min(head.seq, lastSeq) + 1, headSeq);
    }
    return { valid: true, eventsChecked: lastSeq, headSeq };
  }

  private sql(text: string): string {
    return this.transactions.isPostgres ? text : text.replace(/\$\d+/g, '?');
  }
}
