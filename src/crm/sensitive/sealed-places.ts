import type { DataSubject, ValuePlace } from '@custos/crypto';
import { OBJECT_TYPES } from '../kernel';

/**
 * Where a sensitive value is bound within the account (see `ValuePlace`). Every place a CRM value
 * is sealed at is built here, for the writer, the readers and the key rotation alike: a drift
 * between them would make values "unreadable".
 */
export type SealedPlace = Omit<ValuePlace, 'accountId'>;

/**
 * The data subject a record's values are about, whose own key seals them (crypto-shredding): a
 * contact is a person; companies and deals are not, their values stay under the account's key.
 */
const SUBJECT_KIND_OF_TABLE: ReadonlyMap<string, string> = new Map([
  [OBJECT_TYPES.contacts.table, 'contact'],
]);

/** The data subject of a record of `table`, or `undefined` when its values are no person's. */
export function subjectOfRecord(table: string, recordId: string): DataSubject | undefined {
  const kind = SUBJECT_KIND_OF_TABLE.get(table);
  return kind === undefined ? undefined : { kind, id: recordId };
}

/**
 * Where a record's value of a property is sealed: the record's table, the property and the record
 * — and, for a contact, the contact as the data subject whose key seals it.
 */
export function recordValuePlace(table: string, name: string, recordId: string): SealedPlace {
  const subject = subjectOfRecord(table, recordId);
  return { table, column: name, recordId, ...(subject ? { subject } : {}) };
}

/** The history entry a sealed value belongs to. */
export interface HistoryEntryRef {
  id: string;
  recordId: string;
  propertyName: string;
}

/**
 * Where one side of a history entry's sensitive value is bound: to the record and property it is a
 * value of, and to the entry, so a row moved to another record or property no longer opens.
 * `formerPlace` is the format-1 binding (the entry id alone), still opened until a key rotation.
 */
export function historyValuePlaces(
  table: string,
  entry: HistoryEntryRef,
  side: 'old' | 'new',
): { place: SealedPlace; formerPlace: SealedPlace } {
  return {
    place: {
      ...recordValuePlace(table, entry.propertyName, entry.recordId),
      entry: `history:${entry.id}:${side}`,
    },
    formerPlace: {
      table: 'crm_property_history',
      column: entry.propertyName,
      recordId: `${entry.id}:${side}`,
    },
  };
}
