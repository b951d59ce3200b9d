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

/**
 * Runs `work`, turning a unique-constraint violation it meets into `conflict()` (the domain's
 * 409): the unique index decides under concurrency, the caller names what was taken.
 */
export async function mapUniqueViolation<T>(
  work: () => Promise<T>,
  conflict: () => Error,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw isUniqueViolation(error) ? conflict() : error;
  }
}

/**
 * A failure that passes if the transaction is tried again: PostgreSQL deadlock and serialisation
 * failures, SQLite's busy database (another process holds the write lock).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const code =
    error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
  return code === '40P01' || code === '40001' || code === 'SQLITE_BUSY';
}

/** Escapes `%`, `_` and backslash for a `LIKE … ESCAPE` pattern with backslash as escape, so input matches literally. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
