/** The value types of CRM properties, as HubSpot names them. */
export const PROPERTY_TYPES = [
  'string',
  'number',
  'bool',
  'date',
  'datetime',
  'enumeration',
  'score',
  'calculation',
  'file',
] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** Types whose values the system computes; users never write them. */
export const COMPUTED_TYPES: ReadonlySet<PropertyType> = new Set(['score', 'calculation']);

/** A stored property value: strings for string, date (`YYYY-MM-DD`), datetime (ISO-8601 UTC), enumeration and file. */
export type PropertyValue = string | number | boolean | null;

/** One option of an enumeration property. */
export interface EnumerationOption {
  value: string;
  label: string;
}

/** A points rule of a score property: `points` when the named property matches. */
export interface ScoreRule {
  propertyName: string;
  operator: 'eq' | 'neq' | 'gt' | 'lt' | 'has_property';
  value?: string | number | boolean;
  points: number;
}

/** Who may view and edit a sensitive property's values (field permissions narrow it further). */
export const SENSITIVE_ACCESS = ['everyone', 'super_admins'] as const;
export type SensitiveAccess = (typeof SENSITIVE_ACCESS)[number];

/** How a sensitive property is protected; `null` on ordinary properties. */
export interface Sensitivity {
  /** Holds protected health information. */
  phi: boolean;
  /** Masked in lists and records; revealed one record at a time, each reveal audited. */
  highlySensitive: boolean;
  access: SensitiveAccess;
}

/**
 * Where the expression index of an `indexed` custom property is: being built (PostgreSQL builds
 * it in the background), usable, or failed (marking it again retries).
 */
export const INDEX_STATES = ['building', 'ready', 'failed'] as const;
export type IndexState = (typeof INDEX_STATES)[number];

/** Types whose values an expression index may hold: single, comparable, never sensitive values. */
export const INDEXABLE_TYPES: ReadonlySet<PropertyType> = new Set([
  'string',
  'number',
  'bool',
  'date',
  'datetime',
  'enumeration',
  'score',
  'calculation',
]);

/** The definition of a property, standard (from code) or custom (from the database). */
export interface PropertyDefinition {
  name: string;
  label: string;
  groupName: string;
  description: string;
  type: PropertyType;
  options: EnumerationOption[];
  /** Values are unique among the account's records of the object type. */
  unique: boolean;
  required: boolean;
  /** Standard properties come with the object type and cannot be deleted or retyped. */
  standard: boolean;
  /** Arithmetic over number properties, e.g. `amount * probability / 100` (calculation only). */
  formula: string | null;
  /** Points rules (score only). */
  scoreRules: ScoreRule[];
  /** Set when the values are sensitive (encrypted); fixed at creation. */
  sensitivity: Sensitivity | null;
  /** An admin asked for an expression index on the value (custom properties only). */
  indexed: boolean;
  /** The state of that index; `null` when not indexed. */
  indexState: IndexState | null;
  /**
   * Custom properties: the fideslang data category of the personal data the values hold
   * (`user.contact.email`); `null` when they hold none. The personal-data registry lists it.
   */
  dataCategory?: string | null;
}
