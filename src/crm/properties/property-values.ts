import { CustosError } from '@custos/core';
import type { PropertyDefinition, PropertyValue } from '../kernel';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
export const MAX_STRING_LENGTH = 65_535;
/** Standard string properties are columns of 255 characters. */
export const MAX_STANDARD_STRING_LENGTH = 255;

/** Whether `YYYY-MM-DD` names a day of the calendar (not 2026-02-30). */
function isCalendarDate(value: string): boolean {
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

function invalid(field: string, expected: string): CustosError {
  return CustosError.invalidField('crm.invalid_value', field, `expected ${expected}`);
}

/**
 * Validates a value written to `definition` and normalises it to its stored form (numbers as
 * numbers, dates as `YYYY-MM-DD`, datetimes as ISO-8601 UTC). Strings are accepted for every type,
 * as in HubSpot's API and in CSV files. `null` or `''` clears the value. Throws a 422 naming
 * `field` and the expected type.
 */
export function normalizeValue(
  definition: PropertyDefinition,
  raw: unknown,
  field: string,
): PropertyValue {
  if (raw === null || raw === '') {
    return null;
  }
  switch (definition.type) {
    case 'string':
    case 'file': {
      const max = definition.standard ? MAX_STANDARD_STRING_LENGTH : MAX_STRING_LENGTH;
      if (typeof raw !== 'string' || raw.length > max) {
        throw invalid(field, `a string of at most ${max} characters`);
      }
      // PostgreSQL's text cannot hold it (a CSV cell reaches here without the validation pipe).
      if (raw.includes('\u0000')) {
        throw CustosError.invalidField(
          'crm.invalid_value',
          field,
          'must not contain a NUL character',
        );
      }
      return raw;
    }
    case 'number': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalid(field, 'a number');
      }
      return value;
    }
    case 'bool': {
      if (typeof raw === 'boolean') {
        return raw;
      }
      if (raw === 'true' || raw === 'false') {
        return raw === 'true';
      }
      throw invalid(field, 'a boolean (true or false)');
    }
    case 'date': {
      if (typeof raw !== 'string' || !DATE.test(raw) || !isCalendarDate(raw)) {
        throw invalid(field, 'a date (YYYY-MM-DD)');
      }
      return raw;
    }
    case 'datetime': {
      // Date.parse rolls 2026-02-30T… over to March: check the calendar date first.
      if (
        typeof raw !== 'string' ||
        !DATETIME.test(raw) ||
        !isCalendarDate(raw.slice(0, 10)) ||
        Number.isNaN(Date.parse(raw))
      ) {
        throw invalid(field, 'a date-time (ISO-8601 with a time zone, e.g. 2026-11-22T18:42:00Z)');
      }
      return new Date(raw).toISOString();
    }
    case 'enumeration': {
      if (typeof raw !== 'string' || !definition.options.some((o) => o.value === raw)) {
        throw invalid(field, `one of: ${definition.options.map((o) => o.value).join(', ')}`);
      }
      return raw;
    }
    case 'score':
    case 'calculation':
      throw CustosError.invalidField(
        'crm.read_only_property',
        field,
        `is a ${definition.type} property, computed by the system`,
      );
  }
}

/** The key under which a unique value is reserved: strings case-folded, everything else as JSON. */
export function uniqueKeyOf(value: Exclude<PropertyValue, null>): string {
  return typeof value === 'string'
    ? value.normalize('NFKC').trim().toLowerCase()
    : JSON.stringify(value);
}

/** The names whose values differ (empty and `null` alike), sorted. */
export function changedNames(
  before: Record<string, PropertyValue>,
  after: Record<string, PropertyValue>,
): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => (before[name] ?? null) !== (after[name] ?? null)).sort();
}
