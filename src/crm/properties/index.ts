/**
 * Properties: the schema of each object type (`PropertySchemaService`), property definitions and
 * their rules, computed values and the ports through which higher layers take part
 * (`PropertyUsageRegistry`, `PROPERTY_READERS`).
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { computedInputs, evaluateFormula, evaluateScore, parseFormula } from './calculation';
export { CustomPropertyIndexes } from './custom-property-indexes';
export { FieldPermissionsController } from './field-permissions.controller';
export { PropertiesController } from './properties.controller';
export { CustomPropertyDefinition } from './property-definition.entity';
export { PropertyDefinitionService } from './property-definition.service';
export { PROPERTY_READERS } from './property-readers.port';
export { PropertySchemaService } from './property-schemas.service';
export {
  PropertyUsageRegistry,
  type PropertyUsage,
  type UsedProperty,
} from './property-usage.port';
export { changedNames, normalizeValue, uniqueKeyOf } from './property-values';
export { SensitivePropertyPolicy } from './sensitive-property-policy';
