import { AuditErrors } from './audit.errors';

/** JSON object describing a change, conventionally `{ before, after }`. Never holds secrets. */
export type AuditMetadata = Readonly<Record<string, unknown>>;

/**
 * Key names dropped from metadata at any depth, compared case-insensitively and ignoring `_`
 * and `-` (so `api_key`, `API-Key` and `apiKey` all match). Callers pass no secrets; this is the
 * safety net.
 */
export const SECRET_METADATA_KEYS: readonly string[] = [
  'password',
  'passwordhash',
  'token',
  'secret',
  'apikey',
  'key',
  'hash',
  'accesstoken',
  'refreshtoken',
  'clientsecret',
  'privatekey',
];

const SECRET_KEYS = new Set(SECRET_METADATA_KEYS);

/** Nesting deeper than this is refused: audit metadata is a before/after, not a document store. */
const MAX_DEPTH = 32;

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[_-]/g, ''));
}

function strip(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) {
    throw AuditErrors.invalidMetadata(`must not nest deeper than ${MAX_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => strip(item, depth + 1));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !isSecretKey(key))
        .map(([key, item]) => [key, strip(item, depth + 1)]),
    );
  }
  return value;
}

/**
 * The metadata exactly as it will be stored and hashed: reduced to plain JSON (dates become ISO
 * strings, `undefined` members disappear) and stripped of secret-looking keys.
 */
export function sanitizeMetadata(metadata: unknown): Record<string, unknown> {
  if (metadata === undefined || metadata === null) {
    return {};
  }
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw AuditErrors.invalidMetadata('must be a JSON object');
  }
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch {
    throw AuditErrors.invalidMetadata('must be serialisable as JSON (no cycles, no bigint)');
  }
  return strip(JSON.parse(json), 0) as Record<string, unknown>;
}
