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

/** A sealed value to open at its place (a format-1 envelope: at `formerPlace`). */
export interface SealedValue {
  envelope: string;
  place: ValuePlace;
  formerPlace?: ValuePlace;
}

/** What opening one value gave: its plaintext, or why it does not open (as `EnvelopeError.reason`). */
export type OpenedValue = string | { failure: EnvelopeErrorReason };

/**
 * A page of sealed values with what opens them: the account's data keys, and for each kind of
 * data subject the subjects the values are of with their stored (wrapped) key rows.
 */
export interface SealedPage {
  accountKeys: [number, KeyObject][];
  subjects: { kind: string; ids: string[]; rows: StoredSubjectKey[] }[];
  values: SealedValue[];
}

/** A page opened: each value's outcome in the order given, and the stored keys that did not unwrap. */
export interface OpenedPage {
  values: OpenedValue[];
  unreadable: { row: StoredSubjectKey; failure: EnvelopeErrorReason }[];
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
  const values = page.values.map(({ envelope, place, formerPlace }): OpenedValue => {
    try {
      return open(
        envelope,
        (version, scope) => valueKeyFor(accountKeys, stateOf, place.subject, version, scope),
        place,
        formerPlace ?? place,
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
