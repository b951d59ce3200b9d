/**
 * Associations between records.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { ASSOCIATIONS_ENTITIES, AssociationsModule } from './associations.module';
