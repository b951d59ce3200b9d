import { ScimErrors } from './scim.errors';

/** `<attribute> eq "<value>"`: the one comparison Okta and Entra ID send, parsed. */
export interface ScimFilter<A extends string> {
  attribute: A;
  value: string;
}

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:user:';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:group:';

const FILTER = /^\s*([a-z][\w:.-]*(?:\[[^\]]*\](?:\.\w+)?)?)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i;
const WORK_EMAIL = /^emails\[\s*type\s+eq\s+"work"\s*\]\.value$/;

/**
 * Parses a filter of the small grammar Custos supports: one `eq` comparison with a string, on an
 * attribute of `attributes` (keys lower-cased; names match case-insensitively, with or without
 * the core schema URN). Anything else is refused with 400 `invalidFilter`, never ignored: a
 * provider that filters before it creates must not get every user back.
 */
export function parseScimFilter<A extends string>(
  filter: string,
  attributes: Readonly<Record<string, A>>,
): ScimFilter<A> {
  if (filter.length > 1000) {
    throw ScimErrors.invalidFilter('The filter is too long.');
  }
  const match = FILTER.exec(filter);
  if (!match) {
    throw ScimErrors.invalidFilter('Only one `eq` comparison with a quoted string is supported.');
  }
  let path = match[1].toLowerCase();
  for (const prefix of [CORE_USER, CORE_GROUP]) {
    if (path.startsWith(prefix)) {
      path = path.slice(prefix.length);
    }
  }
  // Own keys only: `constructor` (any object's) must be refused, not read as an attribute whose
  // comparison the query then knows nothing of and leaves out (every user back).
  const key = WORK_EMAIL.test(path) ? 'emails[type eq "work"].value' : path;
  const attribute = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  if (!attribute) {
    throw ScimErrors.invalidFilter(`Filtering on "${match[1].slice(0, 100)}" is not supported.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(match[2]);
  } catch {
    throw ScimErrors.invalidFilter('The value is not a valid string.');
  }
  if ((value as string).includes('\u0000')) {
    // Decoded here, after the validation pipe's NUL check; PostgreSQL text cannot hold one.
    throw ScimErrors.invalidFilter('The value must not contain a NUL character.');
  }
  return { attribute, value: value as string };
}
