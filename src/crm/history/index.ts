/**
 * The property history of records, written in each change's transaction.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { PropertyHistory, type ChangeSource } from './property-history.entity';
export { PropertyHistoryService } from './property-history.service';
