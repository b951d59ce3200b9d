import { Injectable, Logger } from '@nestjs/common';
import type { RecordAccess } from './record-access';
import type { PropertyHistory } from '../history';
import {
  ERASED,
  historyValuePlaces,
  recordValuePlace,
  SensitiveViews,
  type Erased,
  type SealedPlace,
  type SensitiveFields,
  type Shown,
} from '../sensitive';
import { objectTypeOf, type PropertyValue } from '../kernel';
import type { StoredRecord } from './record-store';
import type { HistoryEntryDto, RecordDto } from './record.dto';

const logger = new Logger('RecordPresenter');

/**
 * Records and their history as the actor may see them, for every response that shows them (reads,
 * searches, write answers, notifications): field permissions, `redacted`, `masked`, and the
 * sensitive values shown noted in the caller's {@link SensitiveViews} for its `sensitive_data.viewed`
 * event.
 */
@Injectable()
export class RecordPresenter {
  /** Records as the actor may see them, with the sensitive values shown. */
  records(
    records: readonly StoredRecord[],
    names: readonly string[],
    access: RecordAccess,
  ): Shown<RecordDto[]> {
    const views = new SensitiveViews();
    const plan = showing(names, access);
    return { value: records.map((record) => present(record, plan, access, views)), views };
  }

  /** The record as the actor may see it: unreadable properties are left out and listed in `redacted`. */
  record(
    record: StoredRecord,
    names: readonly string[],
    access: RecordAccess,
    views: SensitiveViews,
  ): RecordDto {
    return present(record, showing(names, access), access, views);
  }

  /**
   * One history row as the record shows its values: highly sensitive values are masked, values
   * that do not open are redacted, and sensitive values shown are noted in `views`. With `views`
   * `'revealing'` (the reveal route, audited as a reveal) nothing is masked or noted. A masked or
   * redacted side is left out.
   */
  historyEntry(
    h: PropertyHistory,
    sensitive: SensitiveFields | null,
    views: SensitiveViews | 'revealing',
  ): HistoryEntryDto {
    const revealing = views === 'revealing';
    const entry: HistoryEntryDto = {
      property: h.propertyName,
      source: h.source,
      actor: { kind: h.actorKind, id: h.actorId },
      changedAt: h.changedAt.toISOString(),
    };
    const masked: HistorySide[] = [];
    const redacted: HistorySide[] = [];
    const erased: HistorySide[] = [];
    const isSensitive = sensitive?.has(h.propertyName) ?? false;
    for (const side of HISTORY_SIDES) {
      const stored = side === 'oldValue' ? h.oldValue : h.newValue;
      if (stored === null) {
        entry[side] = null;
      } else if (isSensitive && !revealing && sensitive!.masked(h.propertyName)) {
        masked.push(side);
      } else {
        const value = openHistoryValue(h, side, stored, isSensitive ? sensitive : null);
        if (value === undefined) {
          redacted.push(side);
        } else if (value === ERASED) {
          erased.push(side);
        } else {
          entry[side] = value;
          if (isSensitive && views !== 'revealing' && value !== null) {
            views.shown(h.objectType, h.recordId, h.propertyName);
          }
        }
      }
    }
    return {
      ...entry,
      ...(masked.length > 0 ? { masked } : {}),
      ...(redacted.length > 0 ? { redacted } : {}),
      ...(erased.length > 0 ? { erased } : {}),
    };
  }
}

const HISTORY_SIDES = ['oldValue', 'newValue'] as const;
type HistorySide = (typeof HISTORY_SIDES)[number];

/**
 * A history value as stored (JSON text; sensitive ones an envelope bound to the record, property
 * and entry — see `historyValuePlaces`), {@link ERASED} with its data subject, or
 * `undefined` when it cannot be read: a database writer may have put anything there.
 */
function openHistoryValue(
  h: PropertyHistory,
  side: HistorySide,
  stored: string,
  sensitive: SensitiveFields | null,
): PropertyValue | Erased | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    logger.error(
      `A history value is not JSON: history ${h.id}, property ${h.propertyName}, record ${h.recordId}. It is shown as redacted.`,
    );
    return undefined;
  }
  if (!sensitive) {
    return parsed as PropertyValue;
  }
  const { place, formerPlace } = historyValuePlaces(
    objectTypeOf(h.objectType).table,
    h,
    side === 'oldValue' ? 'old' : 'new',
  );
  return sensitive.openAt(place, parsed, formerPlace);
}

/** Reads one property that is not sensitive from a stored record. */
type ValueReader = (record: StoredRecord) => PropertyValue;

/** System properties read from the record's own columns (they win over a value of that name). */
const SYSTEM_VALUES: ReadonlyMap<string, ValueReader> = new Map<string, ValueReader>([
  ['owner_id', (record) => record.ownerId],
  ['createdate', (record) => record.createdAt],
  ['lastmodifieddate', (record) => record.updatedAt],
]);

/** The value of a property that is not sensitive, system properties (owner, dates) included. */
export function plainValue(record: StoredRecord, name: string): PropertyValue {
  const system = SYSTEM_VALUES.get(name);
  return system ? system(record) : (record.values[name] ?? null);
}

/** {@link plainValue} of one property, decided once for a page. */
function plainReader(name: string): ValueReader {
  return SYSTEM_VALUES.get(name) ?? ((record) => record.values[name] ?? null);
}

/**
 * A sensitive value in clear: from memory, or opened from its envelope; {@link ERASED} if its data
 * subject was erased, `undefined` if it does not open.
 */
export function openValue(
  record: StoredRecord,
  name: string,
  sensitive: SensitiveFields,
): PropertyValue | Erased | undefined {
  if (name in record.values) {
    return record.values[name];
  }
  const envelope = record.sealed[name];
  return envelope === undefined
    ? null
    : sensitive.openAt(
        recordValuePlace(sensitive.schema.objectType.table, name, record.id),
        envelope,
      );
}

/**
 * Prepares `openValue` of `names` for a page of `records` (see `SensitiveFields.openAhead`): the
 * envelopes it would open, at their places, opened ahead by the opening workers or their keys
 * loaded. Release them with `SensitiveFields.forgetSubjects`.
 */
export async function openAhead(
  records: readonly StoredRecord[],
  names: readonly string[],
  sensitive: SensitiveFields,
): Promise<void> {
  const table = sensitive.schema.objectType.table;
  const values: { place: SealedPlace; envelope: unknown }[] = [];
  for (const record of records) {
    for (const name of names) {
      const envelope = record.sealed[name];
      if (!(name in record.values) && envelope !== undefined) {
        values.push({ place: recordValuePlace(table, name, record.id), envelope });
      }
    }
  }
  await sensitive.openAhead(values);
}

/** How a shown property's value is read: as a plain value (a system column or the values), or a sensitive value. */
type Shows = ValueReader | 'sensitive' | 'redacted';

/**
 * How each of `names` is shown to the actor, decided once for a page rather than per record:
 * the field permissions (`RecordAccess.canView`) and which properties are sensitive.
 */
function showing(names: readonly string[], access: RecordAccess): [string, Shows][] {
  const sensitive = access.sensitive;
  return names.map((name) => [
    name,
    !access.canView(name) ? 'redacted' : sensitive?.has(name) ? 'sensitive' : plainReader(name),
  ]);
}

function present(
  record: StoredRecord,
  plan: readonly [string, Shows][],
  access: RecordAccess,
  views: SensitiveViews,
): RecordDto {
  const properties: Record<string, PropertyValue> = {};
  const redacted: string[] = [];
  const masked: string[] = [];
  const erased: string[] = [];
  for (const [name, shows] of plan) {
    if (shows === 'redacted') {
      redacted.push(name);
    } else if (shows === 'sensitive') {
      showSensitive(record, name, access, views, { properties, redacted, masked, erased });
    } else {
      properties[name] = shows(record);
    }
  }
  return {
    id: record.id,
    properties,
    redacted,
    ...(masked.length > 0 ? { masked } : {}),
    ...(erased.length > 0 ? { erased } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archivedAt !== null,
    ...(record.archivedAt ? { archivedAt: record.archivedAt } : {}),
  };
}

/**
 * A readable sensitive property: empty, masked (highly sensitive), redacted (does not open),
 * erased (its data subject's key was destroyed) or shown and noted.
 */
function showSensitive(
  record: StoredRecord,
  name: string,
  access: RecordAccess,
  views: SensitiveViews,
  into: {
    properties: Record<string, PropertyValue>;
    redacted: string[];
    masked: string[];
    erased: string[];
  },
): void {
  const sensitive = access.sensitive!;
  if (!(name in record.values) && record.sealed[name] === undefined) {
    into.properties[name] = null;
  } else if (sensitive.masked(name)) {
    into.masked.push(name);
  } else {
    const value = openValue(record, name, sensitive);
    if (value === undefined) {
      into.redacted.push(name);
    } else if (value === ERASED) {
      into.erased.push(name);
    } else {
      into.properties[name] = value;
      if (value !== null) {
        views.shown(access.schema.objectType.name, record.id, name);
      }
    }
  }
}
