import type { ValuePlace } from '@custos/crypto';

/**
 * Where a sensitive value is bound within the account (see `ValuePlace`). Every place a CRM value
 * is sealed at is built here, for the writer, the readers and the key rotation alike: a drift
 * between them would make values "unreadable".
 */
export type SealedPlace = Omit<ValuePlace, 'accountId'>;

/** Where a record's value of a property is sealed: the record's table, the property and the record. */
export function recordValuePlace(table: string, name: string, recordId: string): SealedPlace {
  return { table, column: name, recordId };
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
