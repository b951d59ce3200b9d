import type { FieldError } from './custos-error';

/** An RFC 9457 problem document as Custos returns it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Stable machine-readable error code, e.g. `identity.last_super_admin`. */
  code: string;
  /** The offending fields of a validation error. */
  errors?: FieldError[];
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
