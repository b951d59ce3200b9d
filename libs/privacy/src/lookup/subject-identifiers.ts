import { PrivacyErrors } from '../privacy.errors';
import type { DataCategory } from '../taxonomy/categories';

/** What a subject is looked up by. */
export const IDENTIFIER_KINDS = ['email', 'phone', 'name', 'id'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** The identifiers of one subject, as staff or a request name them; at least one. */
export interface SubjectIdentifiers {
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  /** A contact's or a user's id. */
  id?: string | null;
}

/**
 * An identifier with the spellings probed for it: equality probes use an index, so the forms a
 * writer may have stored (as typed, case-folded, without phone punctuation) are listed.
 */
export interface ProbedIdentifier {
  kind: IdentifierKind;
  values: string[];
}

/** The category a value field must have (or be below) to be probed for a kind; `id` probes subjects. */
export const CATEGORY_OF_KIND: Record<Exclude<IdentifierKind, 'id'>, DataCategory> = {
  email: 'user.contact.email',
  phone: 'user.contact.phone_number',
  name: 'user.name',
};

const LIMITS: Record<IdentifierKind, number> = { email: 320, phone: 40, name: 200, id: 64 };

/** The identifiers checked and spelled out; 422 naming the field for a bad one, or for none. */
export function probedIdentifiers(input: SubjectIdentifiers): ProbedIdentifier[] {
  const probed: ProbedIdentifier[] = [];
  for (const kind of IDENTIFIER_KINDS) {
    const raw = input[kind];
    if (raw === undefined || raw === null) {
      continue;
    }
    if (typeof raw !== 'string') {
      throw PrivacyErrors.invalidField(kind, 'must be a string');
    }
    const value = raw.trim().replace(/\s+/g, ' ');
    if (value === '' || value.length > LIMITS[kind]) {
      throw PrivacyErrors.invalidField(kind, `must be 1 to ${LIMITS[kind]} characters`);
    }
    probed.push({ kind, values: spellings(kind, value) });
  }
  if (probed.length === 0) {
    throw PrivacyErrors.invalidField(
      'email',
      'name the subject: an email, a phone, a name or an id',
    );
  }
  return probed;
}

function spellings(kind: IdentifierKind, value: string): string[] {
  switch (kind) {
    case 'email':
      return unique([value, value.toLowerCase()]);
    case 'phone':
      return unique([value, value.replace(/[\s().-]/g, ''), normalisedPhone(value)]);
    default:
      return [value];
  }
}

/**
 * A phone number's normal form: its digits only, a leading `+` kept and a leading `00` read as
 * `+` (as the consent lib stores numbers), so `0044 (20) 7946-0001` and `+44 20 7946 0001` are both
 * probed as `+442079460001`.
 */
export function normalisedPhone(value: string): string {
  const trimmed = value.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) {
    return `+${digits}`;
  }
  return trimmed.startsWith('00') ? `+${digits.slice(2)}` : digits;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** "Ada King Lovelace" → first "Ada King", last "Lovelace"; a single word has no split. */
export function splitName(name: string): { first: string; last: string } | null {
  const at = name.lastIndexOf(' ');
  return at <= 0 ? null : { first: name.slice(0, at), last: name.slice(at + 1) };
}
