import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { CustosError, FieldError } from '../errors/custos-error';

/**
 * Keys that could pollute prototypes if merged into objects further down: refused in every body,
 * so nothing whose values travel as body keys (a CRM property's name) may be named so.
 */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
const FORBIDDEN = new Set(FORBIDDEN_KEYS);

/** What {@link findRefused} found, and where. */
interface Refused {
  field: string;
  code: string;
  message: string;
}

/**
 * The first key or string of `value` no layer below may see: a prototype-polluting key, or a
 * NUL character (PostgreSQL's text cannot hold one and fails the query; SQLite's could, so both
 * refuse it alike).
 */
function findRefused(value: unknown, path: string, depth = 0): Refused | null {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? { field: path, code: 'core.nul_character', message: 'must not contain a NUL character' }
      : null;
  }
  if (depth > 32 || typeof value !== 'object' || value === null) {
    return null;
  }
  for (const key of Object.keys(value)) {
    const keyPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (FORBIDDEN.has(key)) {
      return {
        field: keyPath,
        code: 'core.forbidden_key',
        message: 'this property name is not allowed',
      };
    }
    if (key.includes('\u0000')) {
      return {
        field: keyPath,
        code: 'core.nul_character',
        message: 'must not contain a NUL character',
      };
    }
    const nested = findRefused((value as Record<string, unknown>)[key], keyPath, depth + 1);
    if (nested) {
      return nested;
    }
  }
  return null;
}

function flatten(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    // Array items are named like everywhere else in Custos: `inputs[3].email`.
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * The global validation pipe: unknown properties are refused, values are transformed to the
 * DTO types, prototype-polluting keys and NUL characters are refused, and every failure is a 422
 * that names the offending fields.
 */
@Injectable()
export class CustosValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const fieldErrors = flatten(errors);
        const summary = fieldErrors.map((e) => e.message).join('; ');
        return new CustosError(
          'validation',
          'core.validation_failed',
          summary || 'The input is invalid.',
          {
            errors: fieldErrors,
          },
        );
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only what the client sent: a custom parameter (the actor, say) is the server's own.
    const refused = metadata.type === 'custom' ? null : findRefused(value, metadata.data ?? '');
    if (refused) {
      throw CustosError.invalidField(refused.code, refused.field, refused.message);
    }
    return super.transform(value, metadata);
  }
}
