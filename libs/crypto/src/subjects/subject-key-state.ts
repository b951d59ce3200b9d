import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  EnvelopeError,
  SubjectErasedError,
  open,
  seal,
  type DataKey,
  type DataSubject,
  type EnvelopeErrorReason,
  type KeyScope,
  type ValuePlace,
} from '../envelope/envelope';
import type { SubjectKeyRecord } from './subject-key.entity';

/*
 * The rules of subject keys that need no database: where a key is bound when wrapped, how a
 * stored key becomes a reader's state, and which key opens a subject's value. Free of Nest and
 * TypeORM so that an opening worker (opening-worker.ts) runs the very code the main thread runs.
 */

/** Where a subject key is bound within its account when the account key wraps it (as a sealed value of the key table). */
export function subjectKeyPlace(
  subject: DataSubject,
  generation: number,
): Omit<ValuePlace, 'accountId'> {
  return {
    table: 'crypto_subject_key',
    column: subject.kind,
    recordId: subject.id,
    entry: `generation:${generation}`,
  };
}

function wrapPlace(accountId: string, subject: DataSubject, generation: number): ValuePlace {
  return { accountId, ...subjectKeyPlace(subject, generation) };
}

/** A subject's stored key as a read needs it: the row without its dates. */
export type StoredSubjectKey = Pick<
  SubjectKeyRecord,
  'id' | 'accountId' | 'subjectKind' | 'subjectId' | 'generation' | 'wrappedKey'
>;

function subjectOf(row: StoredSubjectKey): DataSubject {
  return { kind: row.subjectKind, id: row.subjectId };
}

/** Seals a subject key's bytes with the account's active data key. */
export function wrapSubjectKey(
  key: Buffer,
  accountKey: DataKey,
  accountId: string,
  subject: DataSubject,
  generation: number,
): string {
  return seal(key.toString('base64'), accountKey, wrapPlace(accountId, subject, generation));
}

/** Opens a stored subject key with the account's data keys; throws `EnvelopeError` if it does not open. */
export function unwrapSubjectKey(
  row: StoredSubjectKey,
  accountKeys: ReadonlyMap<number, KeyObject>,
): Buffer {
  const text = open(
    row.wrappedKey!,
    (version, scope) => (scope === 'account' ? accountKeys.get(version) : undefined),
    wrapPlace(row.accountId, subjectOf(row), row.generation),
  );
  return Buffer.from(text, 'base64');
}

/** What a reader knows of one subject's key: its current generation and the key (`null`: destroyed or none). */
export interface SubjectKeyState {
  readonly generation: number;
  readonly key: KeyObject | null;
  /** The stored key exists but does not unwrap (tampered, or its account key version is gone). */
  readonly unreadable?: boolean;
}

/**
 * A stored key as a reader's state: destroyed, or unwrapped; `failure` says why it did not unwrap
 * (its values are then unreadable). Errors other than `EnvelopeError` are thrown.
 */
export function unwrappedState(
  row: StoredSubjectKey,
  accountKeys: ReadonlyMap<number, KeyObject>,
): { state: SubjectKeyState; failure?: EnvelopeErrorReason } {
  if (row.wrappedKey === null) {
    return { state: { generation: row.generation, key: null } };
  }
  try {
    return {
      state: {
        generation: row.generation,
        key: createSecretKey(unwrapSubjectKey(row, accountKeys)),
      },
    };
  } catch (error) {
    if (!(error instanceof EnvelopeError)) {
      throw error;
    }
    return {
      state: { generation: row.generation, key: null, unreadable: true },
      failure: error.reason,
    };
  }
}

/**
 * The states of the keys of subjects `ids` of one kind from their stored rows: a subject without
 * a row never had a value sealed, or its row is gone — destroyed too.
 */
export function subjectStatesOf<State = SubjectKeyState>(
  ids: readonly string[],
  rows: readonly StoredSubjectKey[],
  stateOf: (row: StoredSubjectKey) => State,
): [string, State | SubjectKeyState][] {
  const found = new Map(rows.map((row) => [row.subjectId, row]));
  return ids.map((id) => {
    const row = found.get(id);
    return [id, row ? stateOf(row) : { generation: 0, key: null }];
  });
}

/**
 * The key that opens a value of `subject` sealed under generation `version` of its key:
 * `undefined` (unknown key) when the stored key does not unwrap or is older than the value, and
 * `SubjectErasedError` when the key was destroyed since (or the value is of an older generation).
 */
export function subjectKeyFor(
  state: SubjectKeyState | undefined,
  subject: DataSubject,
  version: number,
): KeyObject | undefined {
  if (state === undefined) {
    throw new Error(
      `The key of ${subject.kind} ${subject.id} was not loaded: call loadSubjectKeys before opening its values.`,
    );
  }
  if (state.unreadable || version > state.generation) {
    return undefined;
  }
  if (state.key === null || version < state.generation) {
    throw new SubjectErasedError();
  }
  return state.key;
}

/**
 * The key that opens a value of `subject` (absent: no subject) of `version` in `scope`: the
 * account's key of that version, or the subject's (see {@link subjectKeyFor}).
 */
export function valueKeyFor(
  accountKeys: ReadonlyMap<number, KeyObject>,
  stateOf: (subject: DataSubject) => SubjectKeyState | undefined,
  subject: DataSubject | undefined,
  version: number,
  scope: KeyScope,
): KeyObject | undefined {
  return scope === 'account'
    ? accountKeys.get(version)
    : subjectKeyFor(stateOf(subject!), subject!, version);
}
