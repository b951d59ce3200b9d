/**
 * The category of a domain error. Each maps to exactly one HTTP status in
 * {@link ProblemDetailsFilter}; libs pick the kind, never a status.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'validation'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable';

/** One offending input, named by its path (`email`, `members[2].userId`). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * The one error type that domain code throws. `code` is stable and namespaced by lib
 * (`identity.last_super_admin`); `detail` is written for the person who must fix it and
 * never contains secrets or personal data.
 */
export class CustosError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly detail: string,
    readonly options: {
      readonly errors?: readonly FieldError[];
      /** Extra members of the problem document (must be safe to show to the caller). */
      readonly extensions?: Readonly<Record<string, unknown>>;
      /** Seconds after which a rate-limited caller may retry. */
      readonly retryAfterSeconds?: number;
    } = {},
  ) {
    super(detail);
    this.name = 'CustosError';
  }

  /** A 422 naming one field. */
  static invalidField(code: string, field: string, message: string): CustosError {
    return new CustosError('validation', code, `${field}: ${message}`, {
      errors: [{ field, message }],
    });
  }

  static notFound(code: string, what: string): CustosError {
    return new CustosError('not_found', code, `${what} was not found.`);
  }
}
