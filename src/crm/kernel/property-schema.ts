import type { ObjectType } from './object-types';
import type { PropertyDefinition } from './property-type';

/** Everything known about the properties of one object type in one account. */
export interface PropertySchema {
  objectType: ObjectType;
  /** By name: standard, system and custom properties. */
  byName: ReadonlyMap<string, PropertyDefinition>;
  /** Names stored in a column of the table (standard and system) → column name. */
  columns: ReadonlyMap<string, string>;
  /** Read-only properties (computed or maintained by the system). */
  readOnly: ReadonlySet<string>;
}
