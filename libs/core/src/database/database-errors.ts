import { QueryFailedError } from 'typeorm';

/**
 * Whether `error` is a unique-constraint violation, optionally of the named constraint.
 * Works for PostgreSQL (SQLSTATE 23505) and SQLite (SQLITE_CONSTRAINT_UNIQUE).
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) {
    return false;
  }
  const driverError = error.driverError as { code?: string; constraint?: string; message?: string };
  if (driverError.code === '23505') {
    return constraint === undefined || driverError.constraint === constraint;
  }
  if (
    driverError.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driverError.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  ) {
    // SQLite names the columns, not the index; callers that need the constraint check columns.
    return true;
  }
  return false;
}

/** Escapes `%`, `_` and backslash for a `LIKE … ESCAPE` pattern with backslash as escape, so input matches literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
