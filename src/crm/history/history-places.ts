import type { SealedPlace } from '../sensitive/sensitive-fields';

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
      table,
      column: entry.propertyName,
      recordId: entry.recordId,
      entry: `history:${entry.id}:${side}`,
    },
    formerPlace: {
      table: 'crm_property_history',
      column: entry.propertyName,
      recordId: `${entry.id}:${side}`,
    },
  };
}
