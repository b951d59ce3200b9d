import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { CustosError, FieldError } from '../errors/custos-error';

/** Keys that could pollute prototypes if merged into objects further down. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function findForbiddenKey(value: unknown, path: string, depth = 0): string | null {
  if (depth > 32 || typeof value !== 'object' || value === null) {
    return null;
  }
  for (const key of Object.keys(value)) {
    const keyPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) {
      return keyPath;
    }
    const nested = findForbiddenKey((value as Record<string, unknown>)[key], keyPath, depth + 1);
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
 * DTO types, prototype-polluting keys are refused, and every failure is a 422 that names the
 * offending fields.
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
    const forbidden = findForbiddenKey(value, '');
    if (forbidden) {
      throw CustosError.invalidField(
        'core.forbidden_key',
        forbidden,
        'this property name is not allowed',
      );
    }
    return super.transform(value, metadata);
  }
}
