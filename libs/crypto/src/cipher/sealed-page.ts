import type { KeyObject } from 'node:crypto';
import {
  EnvelopeError,
  open,
  type DataSubject,
  type EnvelopeErrorReason,
  type ValuePlace,
} from '../envelope/envelope';
import {
  subjectStatesOf,
  unwrappedState,
  valueKeyFor,
  type StoredSubjectKey,
  type SubjectKeyState,
} from '../subjects/subject-key-state';

/** A sealed value to open at its place. */
export interface SealedValue {
  envelope: string;
  place: ValuePlace;
}

/** What opening one value gave: its plaintext, or why it does not open (as `EnvelopeError.reason`). */
export type OpenedValue = string | { failure: EnvelopeErrorReason };

/**
 * A page of sealed values of one account with what opens them: the account's data keys, and for
 * each kind of data subject the subjects the values are of with their stored (wrapped) key rows.
 * The values go column by column: a thread receives a few arrays of strings ~10× faster than an
 * object per value (3,000 places cost ~10 ms of the sender's time a page, arrays ~1 ms).
 */
export interface SealedPage {
  accountId: string;
  accountKeys: [number, KeyObject][];
  subjects: { kind: string; ids: string[]; rows: StoredSubjectKey[] }[];
  envelopes: string[];
  tables: string[];
  columns: string[];
  recordIds: string[];
  entries: (string | null)[];
  subjectKinds: (string | null)[];
  subjectIds: (string | null)[];
}

/** A page opened: each value's outcome in the order given, and the stored keys that did not unwrap. */
export interface OpenedPage {
  values: OpenedValue[];
  unreadable: { row: StoredSubjectKey; failure: EnvelopeErrorReason }[];
}

/** The page of `values` (all of `accountId`), their subjects' key rows given per kind. */
export function sealedPage(
  accountId: string,
  accountKeys: ReadonlyMap<number, KeyObject>,
  subjects: SealedPage['subjects'],
  values: readonly SealedValue[],
): SealedPage {
  const page: SealedPage = {
    accountId,
    accountKeys: [...accountKeys],
    subjects,
    envelopes: [],
    tables: [],
    columns: [],
    recordIds: [],
    entries: [],
    subjectKinds: [],
    subjectIds: [],
  };
  for (const { envelope, place } of values) {
    if (place.accountId !== accountId) {
      throw new Error(
        `A page of sealed values holds one account's: ${place.accountId} is another.`,
      );
    }
    page.envelopes.push(envelope);
    page.tables.push(place.table);
    page.columns.push(place.column);
    page.recordIds.push(place.recordId);
    page.entries.push(place.entry ?? null);
    page.subjectKinds.push(place.subject?.kind ?? null);
    page.subjectIds.push(place.subject?.id ?? null);
  }
  return page;
}

/** The values `start` to `end` of a page, with only the key rows of their subjects. */
export function partOfPage(page: SealedPage, start: number, end: number): SealedPage {
  const subjects = new Set<string>();
  for (let i = start; i < end && i < page.envelopes.length; i++) {
    if (page.subjectKinds[i] !== null) {
      subjects.add(`${page.subjectKinds[i]}\u0000${page.subjectIds[i]}`);
    }
  }
  const mine = (kind: string, id: string) => subjects.has(`${kind}\u0000${id}`);
  return {
    accountId: page.accountId,
    accountKeys: page.accountKeys,
    subjects: page.subjects.map(({ kind, ids, rows }) => ({
      kind,
      ids: ids.filter((id) => mine(kind, id)),
      rows: rows.filter((row) => mine(kind, row.subjectId)),
    })),
    envelopes: page.envelopes.slice(start, end),
    tables: page.tables.slice(start, end),
    columns: page.columns.slice(start, end),
    recordIds: page.recordIds.slice(start, end),
    entries: page.entries.slice(start, end),
    subjectKinds: page.subjectKinds.slice(start, end),
    subjectIds: page.subjectIds.slice(start, end),
  };
}

/**
 * Opens a page of sealed values with the rules `AccountCipher` applies one value at a time (the
 * same unwrapping, key choice and `open`): run by the opening workers. Errors other than
 * `EnvelopeError` are thrown: the page fails.
 */
export function openPage(page: SealedPage): OpenedPage {
  const accountKeys = new Map(page.accountKeys);
  const unreadable: OpenedPage['unreadable'] = [];
  const states = new Map<string, Map<string, SubjectKeyState>>();
  for (const { kind, ids, rows } of page.subjects) {
    const stateOf = (row: StoredSubjectKey) => {
      const { state, failure } = unwrappedState(row, accountKeys);
      if (failure !== undefined) {
        unreadable.push({ row, failure });
      }
      return state;
    };
    states.set(kind, new Map(subjectStatesOf(ids, rows, stateOf)));
  }
  const stateOf = (subject: DataSubject) => states.get(subject.kind)?.get(subject.id);
  const values = page.envelopes.map((envelope, i): OpenedValue => {
    const kind = page.subjectKinds[i];
    const place: ValuePlace = {
      accountId: page.accountId,
      table: page.tables[i],
      column: page.columns[i],
      recordId: page.recordIds[i],
      entry: page.entries[i] ?? undefined,
      subject: kind === null ? undefined : { kind, id: page.subjectIds[i]! },
    };
    try {
      return open(
        envelope,
        (version, scope) => valueKeyFor(accountKeys, stateOf, place.subject, version, scope),
        place,
      );
    } catch (error) {
      if (!(error instanceof EnvelopeError)) {
        throw error;
      }
      return { failure: error.reason };
    }
  });
  return { values, unreadable };
}
