/** A JSON value: what a JSON-typed encrypted property holds. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What an `@Encrypted` property may hold (besides `null`). */
export type EncryptableValue =
  string | number | boolean | bigint | Date | JsonValue[] | { [key: string]: JsonValue };

/** Thrown when a value cannot be encrypted as it is; the message names the property. */
export class EncryptedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptedValueError';
  }
}

/**
 * The plaintext of a value: a one-letter type tag, then the value — `s` string, `n` number
 * (including NaN, ±Infinity and -0), `b` boolean, `i` bigint, `d` Date (epoch milliseconds, so an
 * invalid Date stays invalid), `j` JSON (arrays and plain objects). The tag, not the property's
 * declared type, says how to read it back, so the value keeps its type whatever the TypeScript
 * declaration (`unknown`, unions) says. The tag is inside the ciphertext.
 */
export function serializeValue(value: unknown, property: string): string {
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return `n${Object.is(value, -0) ? '-0' : String(value)}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'bigint':
      return `i${value.toString()}`;
    case 'object':
      if (value instanceof Date) {
        return `d${value.getTime()}`;
      }
      if (value !== null && (Array.isArray(value) || isPlainObject(value))) {
        return `j${JSON.stringify(value)}`;
      }
      break;
    default:
      break;
  }
  throw new EncryptedValueError(
    `Encrypted property "${property}" holds a value that cannot be encrypted (${describe(value)}): ` +
      'use a string, number, boolean, bigint, Date, array or plain object.',
  );
}

/** Reads back what {@link serializeValue} wrote; throws on an unknown tag. */
export function deserializeValue(plaintext: string): EncryptableValue {
  const body = plaintext.slice(1);
  switch (plaintext[0]) {
    case 's':
      return body;
    case 'n':
      return Number(body);
    case 'b':
      return body === '1';
    case 'i':
      return BigInt(body);
    case 'd':
      return new Date(Number(body));
    case 'j':
      return JSON.parse(body) as EncryptableValue;
    default:
      throw new Error('unknown value tag');
  }
}

/** The text a blind index is computed over: strings as they are, other values as their tagged form. */
export function indexFormOf(value: unknown, property: string): string {
  return typeof value === 'string' ? value : serializeValue(value, property);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return typeof value;
  }
  return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
}
