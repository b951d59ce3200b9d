import { Column, type ColumnOptions, type ValueTransformer } from 'typeorm';

/** ISO-8601 UTC with milliseconds, e.g. `2026-11-22T18:42:00.000Z`: 24 characters, sorts as time does. */
const ISO_LENGTH = 24;

const isoTransformer: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.toISOString() : value),
  from: (value: string | null) => (value === null ? null : new Date(value)),
};

/**
 * A point in time stored as a fixed-width ISO-8601 UTC string. The same bytes on SQLite and
 * PostgreSQL, no session time-zone conversions, lexical order equals time order (so range
 * filters and keyset pagination work in SQL), and hashes over stored rows are reproducible.
 */
export function TimestampColumn(
  options: Pick<ColumnOptions, 'name' | 'nullable'> = {},
): PropertyDecorator {
  return Column({ ...options, type: 'varchar', length: ISO_LENGTH, transformer: isoTransformer });
}
