/**
 * CSV imports of records.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { IMPORTS_ENTITIES, ImportsModule } from './imports.module';
