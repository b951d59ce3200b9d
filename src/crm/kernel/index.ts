/**
 * The CRM kernel, the lowest layer: object types, property types, the SQL dialect, the property
 * schema and the account filter on record rows.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export {
  ACCOUNT_OF_ROW,
  deleteAccountRows,
  selectAccountRows,
  updateAccountRow,
  updateAccountRows,
} from './account-rows';
export {
  OBJECT_TYPE_NAMES,
  OBJECT_TYPES,
  objectTypeOf,
  ObjectTypeParam,
  SYSTEM_PROPERTIES,
  type ObjectType,
  type ObjectTypeName,
} from './object-types';
export type { PropertySchema } from './property-schema';
export { propertyExpression } from './property-sql';
export {
  COMPUTED_TYPES,
  INDEX_STATES,
  INDEXABLE_TYPES,
  PROPERTY_TYPES,
  SENSITIVE_ACCESS,
  type EnumerationOption,
  type IndexState,
  type PropertyDefinition,
  type PropertyType,
  type PropertyValue,
  type ScoreRule,
  type SensitiveAccess,
  type Sensitivity,
} from './property-type';
export { dialectOf, placeholder, type SqlDialect } from './sql-dialect';
