import { randomBytes, type KeyObject } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { IsNull, Not, type EntityManager } from 'typeorm';
import { Clock, TransactionHost, newId } from '@custos/core';
import type { DataKey, DataSubject, EnvelopeErrorReason } from '../envelope/envelope';
import { SubjectKeyRecord } from './subject-key.entity';
import {
  unwrappedState,
  wrapSubjectKey,
  type StoredSubjectKey,
  type SubjectKeyState,
} from './subject-key-state';

/**
 * Unwrapped subject keys kept per process. A page of 50 contacts needs 50; a busy instance sees
 * many pages: 10,000 keys are about 2.5 MB.
 */
export const SUBJECT_KEY_CACHE_SIZE = 10_000;

const logger = new Logger('SubjectKeys');

/**
 * A file as the holder of its own key (kept in the same key table as subjects' keys, kind
 * `file`): a file holding several subjects' data (an export, an access package) is sealed under
 * it, and destroying it — when one of those subjects is erased — makes every copy of the file
 * unopenable, in the live store and in any copy of the store.
 */
export function fileKeyHolder(purpose: string, id: string): DataSubject {
  return { kind: 'file', id: `${purpose}/${id}` };
}

/** An unwrapped key in the cache, with the wrapped text it came from. */
interface Unwrapped {
  readonly wrappedKey: string;
  readonly key: KeyObject;
}

/** {@link SubjectKeys.stored} on PostgreSQL: one lookup of the unique key per id ($3). */
export const STORED_KEYS_POSTGRES = `SELECT k.id, k.subject_id, k.generation, k.wrapped_key
  FROM unnest($3::text[]) AS wanted(subject_id)
  CROSS JOIN LATERAL (
    SELECT id, subject_id, generation, wrapped_key FROM crypto_subject_key
    WHERE account_id = $1 AND subject_kind = $2 AND subject_id = wanted.subject_id
    LIMIT 1
  ) AS k`;

/**
 * The store of data subjects' keys (crypto-shredding): created on a subject's first sealed value,
 * wrapped by the account's data key, destroyed on erasure. `AccountCipher.loadSubjectKeys` reads
 * them; unwrapped keys are cached per process (LRU of {@link SUBJECT_KEY_CACHE_SIZE}), keyed by
 * account, subject and generation, and used only for the same wrapped text (so the same wrapping
 * key version too).
 *
 * The cache never decides whether a key may be used: every load reads the subject's row, so a
 * key destroyed by any instance stops opening values on every instance from the first load after
 * the destruction commits. The cache only spares unwrapping; {@link destroy} also drops the
 * destroyed key from this instance's cache at once, other instances drop it as it ages out.
 */
@Injectable()
export class SubjectKeys {
  private readonly unwrapped = new Map<string, Unwrapped>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly clock: Clock,
  ) {}

  /**
   * The stored keys of these subjects of one kind, in one query whatever their number: the ids
   * are one parameter (an array on PostgreSQL, a JSON array on SQLite), as both databases cap a
   * statement's parameters (PostgreSQL 65,535, SQLite 32,766) and an export reads 1,000 a page.
   * On PostgreSQL each id is one lookup of the unique key (`LATERAL … LIMIT 1`, which the planner
   * cannot turn into a join): written as `subject_id = ANY($3)` the planner read every key of the
   * account whenever it misjudged the account's share — a filter after the (account, kind) prefix
   * without fresh statistics, a sequential scan with them for a page of 1,000 — 12–70 ms for
   * 1,000 ids among 66,000 keys against 2.3 ms, growing with the account (docs/benchmarks.md).
   */
  async stored(
    accountId: string,
    kind: string,
    ids: readonly string[],
    manager?: EntityManager,
  ): Promise<StoredSubjectKey[]> {
    if (ids.length === 0) {
      return [];
    }
    const db = manager ?? this.transactions.manager;
    const postgres = db.connection.options.type === 'postgres';
    // Raw rows, not entities: an export reads a page of keys per page of rows.
    const rows: {
      id: string;
      subject_id: string;
      generation: number;
      wrapped_key: string | null;
    }[] = await db.query(
      postgres
        ? STORED_KEYS_POSTGRES
        : `SELECT id, subject_id, generation, wrapped_key FROM crypto_subject_key
              WHERE account_id = ? AND subject_kind = ? AND subject_id IN (SELECT value FROM json_each(?))`,
      [accountId, kind, postgres ? ids : JSON.stringify(ids)],
    );
    return rows.map((row) => ({
      id: row.id,
      accountId,
      subjectKind: kind,
      subjectId: row.subject_id,
      generation: Number(row.generation),
      wrappedKey: row.wrapped_key,
    }));
  }

  /**
   * The state of a stored key: unwrapped with the account's keys (from the cache, and kept there
   * unless `cache` is `false`), or destroyed.
   */
  stateOf(
    row: StoredSubjectKey,
    accountKeys: ReadonlyMap<number, KeyObject>,
    cache = true,
  ): SubjectKeyState {
    if (row.wrappedKey === null) {
      return { generation: row.generation, key: null };
    }
    const cacheKey = this.cacheKeyOf(row);
    const cached = this.unwrapped.get(cacheKey);
    // The same generation wrapped again (a rotation) is unwrapped again.
    if (cached?.wrappedKey === row.wrappedKey) {
      // Most recently used goes last: the first entry is the one evicted.
      this.unwrapped.delete(cacheKey);
      this.unwrapped.set(cacheKey, cached);
      return { generation: row.generation, key: cached.key };
    }
    const { state, failure } = unwrappedState(row, accountKeys);
    if (failure !== undefined) {
      this.reportUnreadable(row, failure);
      return state;
    }
    if (cache) {
      this.unwrapped.delete(cacheKey);
      this.unwrapped.set(cacheKey, { wrappedKey: row.wrappedKey, key: state.key! });
      if (this.unwrapped.size > SUBJECT_KEY_CACHE_SIZE) {
        this.unwrapped.delete(this.unwrapped.keys().next().value!);
      }
    }
    return state;
  }

  /** Logs, without any key, that a stored subject key does not unwrap (wherever it was unwrapped). */
  reportUnreadable(row: StoredSubjectKey, reason: EnvelopeErrorReason): void {
    logger.error(
      `A subject key does not unwrap (${reason}): account ${row.accountId}, ${row.subjectKind} ${row.subjectId}. Its values are shown as redacted.`,
    );
  }

  /**
   * Gives each of the subjects a live key, wrapped by `accountKey` (the account's active key):
   * a first key (generation 1) where none is stored, the next generation where the key was
   * destroyed. Race-safe: a concurrent creation wins and is kept. Reads through `manager` (the
   * caller's transaction) or the current transaction.
   */
  async create(
    accountId: string,
    kind: string,
    ids: readonly string[],
    accountKey: DataKey,
    manager?: EntityManager,
  ): Promise<void> {
    const db = manager ?? this.transactions.manager;
    const existing = new Map(
      (await this.stored(accountId, kind, ids, db)).map((row) => [row.subjectId, row]),
    );
    const now = this.clock.now();
    const fresh: SubjectKeyRecord[] = [];
    for (const id of new Set(ids)) {
      const row = existing.get(id);
      const subject = { kind, id };
      if (!row) {
        fresh.push({
          id: newId(),
          accountId,
          subjectKind: kind,
          subjectId: id,
          generation: 1,
          keyVersion: accountKey.version,
          wrappedKey: wrapSubjectKey(randomBytes(32), accountKey, accountId, subject, 1),
          createdAt: now,
          destroyedAt: null,
        });
      } else if (row.wrappedKey === null) {
        const generation = row.generation + 1;
        // Only if still destroyed at that generation: a concurrent re-creation is kept.
        await db.update(
          SubjectKeyRecord,
          { id: row.id, generation: row.generation, wrappedKey: IsNull() },
          {
            generation,
            keyVersion: accountKey.version,
            wrappedKey: wrapSubjectKey(randomBytes(32), accountKey, accountId, subject, generation),
            createdAt: now,
            destroyedAt: null,
          },
        );
      }
    }
    if (fresh.length > 0) {
      // Two first seals may race: the unique index keeps one, the other is ignored.
      await db
        .createQueryBuilder()
        .insert()
        .into(SubjectKeyRecord)
        .values(fresh)
        .orIgnore()
        .execute();
    }
  }

  /**
   * Destroys a data subject's key — crypto-shredding: every value sealed under it, wherever a
   * copy of it lives (backups, replicas, old rows, exports of envelopes), no longer opens with
   * the live keys (`SubjectErasedError`). Runs in `manager`'s transaction, else the current one,
   * so it commits or rolls back with the caller's erasure. Idempotent: returns `true` when a key
   * was destroyed now, `false` when there was none or it was destroyed before. Values sealed for
   * the subject afterwards get a new key (the next generation).
   */
  async destroy(
    accountId: string,
    subjectKind: string,
    subjectId: string,
    manager?: EntityManager,
  ): Promise<boolean> {
    const db = manager ?? this.transactions.manager;
    const result = await db.update(
      SubjectKeyRecord,
      { accountId, subjectKind, subjectId, wrappedKey: Not(IsNull()) },
      { wrappedKey: null, keyVersion: null, destroyedAt: this.clock.now() },
    );
    this.forget(accountId, { kind: subjectKind, id: subjectId });
    return (result.affected ?? 0) > 0;
  }

  /** Whether this instance holds an unwrapped key of the subject in memory (diagnostics and tests). */
  cached(accountId: string, subject: DataSubject): boolean {
    const prefix = this.prefixOf(accountId, subject);
    return [...this.unwrapped.keys()].some((cacheKey) => cacheKey.startsWith(prefix));
  }

  /** Drops a subject's unwrapped keys from this instance's cache. */
  private forget(accountId: string, subject: DataSubject): void {
    const prefix = this.prefixOf(accountId, subject);
    for (const cacheKey of [...this.unwrapped.keys()]) {
      if (cacheKey.startsWith(prefix)) {
        this.unwrapped.delete(cacheKey);
      }
    }
  }

  private prefixOf(accountId: string, subject: DataSubject): string {
    return JSON.stringify([accountId, subject.kind, subject.id]).slice(0, -1) + ',';
  }

  private cacheKeyOf(row: StoredSubjectKey): string {
    return `${this.prefixOf(row.accountId, { kind: row.subjectKind, id: row.subjectId })}${row.generation}]`;
  }
}
