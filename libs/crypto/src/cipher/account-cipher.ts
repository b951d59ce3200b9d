import type { KeyObject } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BlindIndexer } from '../blind-index/blind-index';
import { openBytes, sealBytes, type BlobPlace } from '../envelope/binary-envelope';
import {
  EnvelopeError,
  SubjectErasedError,
  open,
  seal,
  type DataKey,
  type DataSubject,
  type KeyScope,
  type ValuePlace,
} from '../envelope/envelope';
import { openStream, sealStream } from '../envelope/sealed-stream';
import {
  subjectStatesOf,
  valueKeyFor,
  type StoredSubjectKey,
  type SubjectKeyState,
} from '../subjects/subject-key-state';
import type { SubjectKeys } from '../subjects/subject-keys';
import type { OpeningWorkers } from './opening-workers';
import { sealedPage, type OpenedValue, type SealedPage, type SealedValue } from './sealed-page';

/** A value opened ahead ({@link AccountCipher.openAhead}), kept for its `open`. */
interface OpenedAhead extends SealedValue {
  opened: OpenedValue;
}

/**
 * A subject's stored key, loaded but not yet unwrapped: it is unwrapped when a value of the
 * subject first needs it. An export's page loads 1,000 keys at once; unwrapped on loading (~12 µs
 * each) they held the event loop for one block a page (~7 ms of CPU, up to ~20 ms), outside the
 * slices the page's work is cut into; unwrapped with each value, they fall inside those slices
 * (docs/exports.md).
 */
class WrappedKey {
  constructor(
    readonly row: StoredSubjectKey,
    readonly cache: boolean,
  ) {}
}

/**
 * One account's keys, loaded: seals with the active data key, opens with any version the account
 * has, and makes blind-index tokens. Synchronous, so a page or a batch costs one key look-up.
 *
 * A value whose place names a data subject (`ValuePlace.subject`) is sealed and opened with that
 * subject's own key instead: load the keys of a page's subjects first, in one query, with
 * {@link loadSubjectKeys}.
 */
export class AccountCipher {
  private readonly indexer: BlindIndexer;
  /** Subject keys loaded by {@link loadSubjectKeys}, by kind then id (no key string made per open). */
  private readonly subjects = new Map<string, Map<string, SubjectKeyState | WrappedKey>>();
  /** Values opened ahead by the opening workers, by record id (see {@link openAhead}). */
  private readonly ahead = new Map<string, OpenedAhead[]>();

  constructor(
    readonly accountId: string,
    private readonly active: DataKey,
    private readonly keys: ReadonlyMap<number, KeyObject>,
    indexKey: Buffer,
    private readonly subjectKeys?: SubjectKeys,
    private readonly openers?: OpeningWorkers,
  ) {
    this.indexer = new BlindIndexer(indexKey);
  }

  /**
   * Loads the keys of these data subjects (one query per kind): needed before opening their
   * values and, with `forSealing`, before sealing — which creates a key for each subject without
   * a live one (first value, or after the key was destroyed), in `manager`'s transaction (else
   * the current one). Subjects already loaded are not read again. A key is unwrapped when a
   * value of its subject is first opened or sealed (a stored key that does not unwrap is logged
   * then), with the same outcome as if unwrapped here. `cache: false` (default
   * `true`) leaves the keys it unwraps out of the process's cache of subject keys: a reader that
   * meets each of many subjects once (an export) would only churn it, evicting the keys of
   * everyone else's pages.
   */
  async loadSubjectKeys(
    subjects: Iterable<DataSubject>,
    options: { forSealing?: boolean; manager?: EntityManager; cache?: boolean } = {},
  ): Promise<void> {
    const byKind = new Map<string, Set<string>>();
    for (const subject of subjects) {
      const loaded = this.subjects.get(subject.kind)?.has(subject.id);
      if (!loaded || (options.forSealing && this.stateOf(subject)!.key === null)) {
        byKind.set(subject.kind, (byKind.get(subject.kind) ?? new Set()).add(subject.id));
      }
    }
    const store = this.subjectKeys;
    if (byKind.size > 0 && !store) {
      throw new Error('This AccountCipher has no subject-key store: build it with AccountCiphers.');
    }
    for (const [kind, set] of byKind) {
      const ids = [...set];
      const cache = options.cache ?? true;
      this.remember(
        kind,
        ids,
        await store!.stored(this.accountId, kind, ids, options.manager),
        cache,
      );
      if (options.forSealing) {
        const lacking = ids.filter((id) => this.stateOf({ kind, id })?.key === null);
        if (lacking.length > 0) {
          await store!.create(this.accountId, kind, lacking, this.active, options.manager);
          this.remember(
            kind,
            lacking,
            await store!.stored(this.accountId, kind, lacking, options.manager),
            cache,
          );
        }
      }
    }
  }

  private remember(
    kind: string,
    ids: readonly string[],
    rows: Awaited<ReturnType<SubjectKeys['stored']>>,
    cache: boolean,
  ): void {
    let states = this.subjects.get(kind);
    if (!states) {
      states = new Map();
      this.subjects.set(kind, states);
    }
    for (const [id, state] of subjectStatesOf(ids, rows, (row) => new WrappedKey(row, cache))) {
      states.set(id, state);
    }
  }

  /**
   * Prepares the values of a page for {@link open}, as {@link loadSubjectKeys} with `cache: false`
   * does for their subjects — but when the opening workers take a page this large, they unwrap
   * the subjects' keys and open the values off this thread, and `open` of each value at the same
   * place (no `formerPlace`) then gives its outcome: its plaintext, or the same error it would
   * throw. The subjects' key rows are read here, in one query per kind. Release the page with
   * {@link forgetSubjectKeys} and {@link forgetOpenedAhead}.
   */
  async openAhead(
    values: readonly { envelope: string; place: Omit<ValuePlace, 'accountId'> }[],
  ): Promise<void> {
    const byKind = new Map<string, Set<string>>();
    for (const { place } of values) {
      if (place.subject) {
        const { kind, id } = place.subject;
        byKind.set(kind, (byKind.get(kind) ?? new Set()).add(id));
      }
    }
    if (!this.openers?.takes(values.length)) {
      const subjects = [...byKind].flatMap(([kind, ids]) => [...ids].map((id) => ({ kind, id })));
      await this.loadSubjectKeys(subjects, { cache: false });
      return;
    }
    const subjects: SealedPage['subjects'] = [];
    for (const [kind, set] of byKind) {
      const ids = [...set];
      subjects.push({ kind, ids, rows: await this.subjectKeys!.stored(this.accountId, kind, ids) });
    }
    const sealed = values.map(({ envelope, place }): SealedValue => ({
      envelope,
      place: this.placeIn(place),
    }));
    const opened = await this.openers.open(sealedPage(this.accountId, this.keys, subjects, sealed));
    for (const { row, failure } of opened.unreadable) {
      this.subjectKeys!.reportUnreadable(row, failure);
    }
    for (let i = 0; i < sealed.length; i++) {
      const entry: OpenedAhead = { ...sealed[i], opened: opened.values[i] };
      const kept = this.ahead.get(entry.place.recordId);
      if (kept) {
        kept.push(entry);
      } else {
        this.ahead.set(entry.place.recordId, [entry]);
      }
    }
  }

  /** Lets go of the values of these records that {@link openAhead} opened. */
  forgetOpenedAhead(recordIds: Iterable<string>): void {
    for (const id of recordIds) {
      this.ahead.delete(id);
    }
  }

  /** How many records' values {@link openAhead} holds opened (diagnostics and tests). */
  get openedAheadRecords(): number {
    return this.ahead.size;
  }

  /** The outcome of `envelope` opened ahead at exactly this place, if it was. */
  private openedAhead(envelope: string, place: ValuePlace): OpenedValue | undefined {
    const kept = this.ahead.get(place.recordId);
    const entry = kept?.find(
      (candidate) => candidate.envelope === envelope && samePlace(candidate.place, place),
    );
    return entry?.opened;
  }

  /**
   * Lets go of the keys of these subjects that {@link loadSubjectKeys} loaded: a reader of many
   * subjects (an export) releases each page's keys once the page is made, so the keys it holds
   * stay a page's, whatever its length. Opening their values again needs another load.
   */
  forgetSubjectKeys(subjects: Iterable<DataSubject>): void {
    for (const subject of subjects) {
      this.subjects.get(subject.kind)?.delete(subject.id);
    }
  }

  /** How many subjects' keys are loaded (diagnostics and tests). */
  get loadedSubjectKeys(): number {
    let count = 0;
    for (const states of this.subjects.values()) {
      count += states.size;
    }
    return count;
  }

  /** The state of a loaded subject's key, unwrapped now if no value needed it before. */
  private stateOf(subject: DataSubject): SubjectKeyState | undefined {
    const states = this.subjects.get(subject.kind);
    const loaded = states?.get(subject.id);
    if (!(loaded instanceof WrappedKey)) {
      return loaded;
    }
    const state = this.subjectKeys!.stateOf(loaded.row, this.keys, loaded.cache);
    states!.set(subject.id, state);
    return state;
  }

  /** The key of `version` in `scope` for a value of `subject` (see `open`, `openBytes`). */
  private keyFor(subject: DataSubject | undefined, version: number, scope: KeyScope) {
    return valueKeyFor(this.keys, (s) => this.stateOf(s), subject, version, scope);
  }

  /** The live key of a subject (or file) loaded `forSealing`, as the data key to seal with. */
  private sealingKeyOf(subject: DataSubject): DataKey {
    const state = this.stateOf(subject);
    if (!state?.key) {
      throw new Error(
        `No live key of ${subject.kind} ${subject.id}: call loadSubjectKeys with forSealing before sealing its values.`,
      );
    }
    return { version: state.generation, key: state.key, scope: 'subject' };
  }

  /** Version of the data key new values are sealed with. */
  get activeVersion(): number {
    return this.active.version;
  }

  /**
   * Seals with the active data key, or — when `place` names a subject — with the subject's key,
   * which {@link loadSubjectKeys} must have loaded `forSealing`.
   */
  seal(plaintext: string, place: Omit<ValuePlace, 'accountId'>): string {
    if (!place.subject) {
      return seal(plaintext, this.active, { ...place, accountId: this.accountId });
    }
    return seal(plaintext, this.sealingKeyOf(place.subject), {
      ...place,
      accountId: this.accountId,
    });
  }

  /**
   * Throws `EnvelopeError` when the value was tampered with, moved, or sealed by an unknown key,
   * and `SubjectErasedError` when it was sealed under a subject's key since destroyed. A format-1
   * envelope is checked against `formerPlace` (see `open`).
   */
  open(
    envelope: string,
    place: Omit<ValuePlace, 'accountId'>,
    formerPlace: Omit<ValuePlace, 'accountId'> = place,
  ): string {
    const at = this.placeIn(place);
    const former = formerPlace === place ? at : this.placeIn(formerPlace);
    // Opened ahead at its place only: a format-1 value's former place is opened here.
    const ahead = this.ahead.size > 0 && former === at ? this.openedAhead(envelope, at) : undefined;
    if (ahead !== undefined) {
      if (typeof ahead === 'string') {
        return ahead;
      }
      throw ahead.failure === 'subject_erased'
        ? new SubjectErasedError()
        : new EnvelopeError(ahead.failure);
    }
    return open(
      envelope,
      (version, scope) => this.keyFor(place.subject, version, scope),
      at,
      former,
    );
  }

  /** `place` in this account: one literal of one shape (a spread of `place` costs an export's every open). */
  private placeIn(place: Omit<ValuePlace, 'accountId'>): ValuePlace {
    return {
      accountId: this.accountId,
      table: place.table,
      column: place.column,
      recordId: place.recordId,
      entry: place.entry,
      subject: place.subject,
    };
  }

  /**
   * Seals a file's bytes (see `sealBytes`): with the active data key, or — when `place` names a
   * `holder` — with the holder's own key, which {@link loadSubjectKeys} must have loaded `forSealing`.
   */
  sealBytes(plaintext: Uint8Array, place: Omit<BlobPlace, 'accountId'>): Buffer {
    const key = place.holder ? this.sealingKeyOf(place.holder) : this.active;
    return sealBytes(plaintext, key, { ...place, accountId: this.accountId });
  }

  /**
   * Throws `EnvelopeError` when the bytes were tampered with, moved, or sealed by an unknown key,
   * and `SubjectErasedError` when they were sealed under a holder's key since destroyed (load it
   * first with {@link loadSubjectKeys}). A format-1 envelope is checked against `formerPlace`.
   */
  openBytes(
    envelope: Uint8Array,
    place: Omit<BlobPlace, 'accountId'>,
    formerPlace: Omit<BlobPlace, 'accountId'> = place,
  ): Buffer {
    return openBytes(
      envelope,
      (version, scope) => this.keyFor(place.holder, version, scope),
      { ...place, accountId: this.accountId },
      { ...formerPlace, accountId: this.accountId },
    );
  }

  /**
   * Seals a stream of any length frame by frame (see `sealStream`): with the active key, or under
   * the `holder`'s own key — created now if it has none, in `manager`'s transaction (else the
   * current one).
   */
  async *sealStream(
    source: AsyncIterable<Uint8Array>,
    place: Omit<BlobPlace, 'accountId'>,
    manager?: EntityManager,
  ): AsyncGenerator<Buffer> {
    if (place.holder) {
      await this.loadSubjectKeys([place.holder], { forSealing: true, manager });
    }
    const key = place.holder ? this.sealingKeyOf(place.holder) : this.active;
    yield* sealStream(source, key, { ...place, accountId: this.accountId });
  }

  /**
   * The plaintext of a sealed stream; throws `EnvelopeError` at a frame tampered with, moved,
   * dropped or cut off, and `SubjectErasedError` when its holder's key was destroyed.
   */
  async *openStream(
    source: AsyncIterable<Uint8Array>,
    place: Omit<BlobPlace, 'accountId'>,
  ): AsyncGenerator<Buffer> {
    if (place.holder) {
      await this.loadSubjectKeys([place.holder]);
    }
    yield* openStream(source, (version, scope) => this.keyFor(place.holder, version, scope), {
      ...place,
      accountId: this.accountId,
    });
  }

  /** Blind-index token of `value` for `field` (see `BlindIndexer`). */
  token(field: string, value: string, caseSensitive = false): string {
    return this.indexer.token(field, value, caseSensitive);
  }
}

function samePlace(a: ValuePlace, b: ValuePlace): boolean {
  return (
    a.accountId === b.accountId &&
    a.table === b.table &&
    a.column === b.column &&
    a.recordId === b.recordId &&
    a.entry === b.entry &&
    a.subject?.kind === b.subject?.kind &&
    a.subject?.id === b.subject?.id
  );
}
