import { CustosError } from '@custos/core';
import type { RecordAccess } from '../records';
import type { PropertySchema } from '../kernel';
import { normalizeValue, uniqueKeyOf } from '../properties';
import type { ImportMode } from './import.entity';
import { importErrors } from './imports.errors';

/** A CSV column written to a property. */
export interface MappedColumn {
  /** 0-based position in the header. */
  index: number;
  column: string;
  property: string;
}

/** How each row of a file becomes a write, checked against the header and the schema. */
export interface ImportPlan {
  mode: ImportMode;
  /** Cells every row must have. */
  headerLength: number;
  columns: MappedColumn[];
  /** The column whose unique property finds the record (update and upsert). */
  match: MappedColumn | null;
}

/** What a row asks for, or why it cannot be applied (never quoting a cell). */
export type RowInput =
  | { properties: Record<string, string>; matchKey: string | null }
  | { error: { column: string | null; reason: string } };

/** The `mapping` field: a JSON object (or form fields `mapping[column]`) of column → property. */
export function parseMapping(raw: unknown): Record<string, string> {
  let mapping = raw;
  if (typeof raw === 'string') {
    try {
      mapping = JSON.parse(raw) as unknown;
    } catch {
      mapping = undefined;
    }
  }
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw importErrors.invalidMapping(
      null,
      'must be a JSON object of CSV column → property name, e.g. {"Email": "email"}',
    );
  }
  const entries = Object.entries(mapping as Record<string, unknown>);
  if (entries.length === 0) {
    throw importErrors.invalidMapping(
      null,
      'maps no column; map at least one CSV column to a property',
    );
  }
  for (const [column, property] of entries) {
    if (typeof property !== 'string' || property === '') {
      throw importErrors.invalidMapping(column, 'must be the name of a property');
    }
  }
  // Own properties only, even for a column named like `__proto__`.
  return Object.fromEntries(entries as [string, string][]);
}

/**
 * Checks a mapping against the file's header and the object type's properties, and the mode
 * against `uniqueProperty`. Every refusal is a 422 naming the field (`mapping.<column>`,
 * `uniqueProperty`, `file`).
 */
export function planImport(
  schema: PropertySchema,
  header: readonly string[],
  request: { mapping: Record<string, string>; mode: ImportMode; uniqueProperty?: string | null },
): ImportPlan {
  const columns: MappedColumn[] = [];
  const byProperty = new Map<string, MappedColumn>();
  for (const [column, property] of Object.entries(request.mapping)) {
    const index = header.indexOf(column);
    if (index < 0) {
      throw importErrors.invalidMapping(column, "is not a column of the file's header row");
    }
    if (header.indexOf(column, index + 1) >= 0) {
      throw importErrors.invalidCsv(`the header row has more than one column named "${column}"`);
    }
    if (!schema.byName.has(property)) {
      throw importErrors.invalidMapping(
        column,
        `"${property}" is not a property of ${schema.objectType.name}`,
      );
    }
    if (schema.readOnly.has(property)) {
      throw importErrors.invalidMapping(column, `"${property}" is read-only: the system sets it`);
    }
    const other = byProperty.get(property);
    if (other) {
      throw importErrors.invalidMapping(
        column,
        `maps to "${property}" like column "${other.column}"`,
      );
    }
    const mapped = { index, column, property };
    columns.push(mapped);
    byProperty.set(property, mapped);
  }
  const uniqueProperty = request.uniqueProperty ?? null;
  let match: MappedColumn | null = null;
  if (request.mode === 'create') {
    if (uniqueProperty !== null) {
      throw importErrors.invalidUniqueProperty('is only used by the update and upsert modes');
    }
    for (const definition of schema.byName.values()) {
      if (definition.required && !byProperty.has(definition.name)) {
        throw importErrors.invalidMapping(
          null,
          `maps no column to "${definition.name}", which every ${schema.objectType.singular} needs`,
        );
      }
    }
  } else {
    const uniqueNames = [...schema.byName.values()].filter((d) => d.unique).map((d) => d.name);
    if (uniqueProperty === null) {
      throw importErrors.invalidUniqueProperty(
        `is required for ${request.mode}: name the unique property that finds each record (${uniqueNames.join(', ')})`,
      );
    }
    if (!schema.byName.get(uniqueProperty)?.unique) {
      throw importErrors.invalidUniqueProperty(
        `must be a unique property of ${schema.objectType.name} (${uniqueNames.join(', ')})`,
      );
    }
    match = byProperty.get(uniqueProperty) ?? null;
    if (!match) {
      throw importErrors.invalidUniqueProperty(
        `no column is mapped to "${uniqueProperty}"; map one so that rows can be matched`,
      );
    }
  }
  return { mode: request.mode, headerLength: header.length, columns, match };
}

/**
 * Refuses update and upsert keyed on a property the actor may not read (field permissions,
 * sensitive access): which rows matched would tell which values the hidden property holds.
 */
export function assertReadableKey(access: RecordAccess, uniqueProperty: string | null): void {
  if (uniqueProperty !== null && !access.canView(uniqueProperty)) {
    throw importErrors.keyNotReadable(uniqueProperty, access.schema.objectType.name);
  }
}

/**
 * The write one data row asks for: its non-empty mapped cells (an empty cell leaves the value as
 * it is) and, for update and upsert, the key of its unique value.
 */
export function rowInput(plan: ImportPlan, schema: PropertySchema, cells: string[]): RowInput {
  if (cells.length !== plan.headerLength) {
    return {
      error: {
        column: null,
        reason: `the row has ${cells.length} cells; the header row has ${plan.headerLength}`,
      },
    };
  }
  const properties: Record<string, string> = {};
  for (const { index, property } of plan.columns) {
    if (cells[index] !== '') {
      properties[property] = cells[index];
    }
  }
  if (!plan.match) {
    return { properties, matchKey: null };
  }
  const { column, property, index } = plan.match;
  if (cells[index] === '') {
    return {
      error: {
        column,
        reason: `${property}: is empty; it is needed to find the ${schema.objectType.singular}`,
      },
    };
  }
  try {
    const value = normalizeValue(schema.byName.get(property)!, cells[index], property);
    return { properties, matchKey: uniqueKeyOf(value!) };
  } catch (error) {
    if (error instanceof CustosError) {
      return { error: { column, reason: error.detail } };
    }
    throw error;
  }
}
