import { DATA_CATEGORIES } from './data-categories';

/** A fideslang data-category key of personal data (`user.contact.email`). */
export type DataCategory = (typeof DATA_CATEGORIES)[number];

const KNOWN: ReadonlySet<string> = new Set(DATA_CATEGORIES);

export function isDataCategory(value: unknown): value is DataCategory {
  return typeof value === 'string' && KNOWN.has(value);
}
