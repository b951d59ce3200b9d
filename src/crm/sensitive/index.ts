/**
 * Sensitive values of records: who reads them in clear (`SensitiveFields`), where each is sealed,
 * the view audit, key rotation and the verification of sealed values.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { CrmRotationSources } from './rotation-sources';
export { writtenDigests } from './sealed-digests';
export {
  historyValuePlaces,
  recordValuePlace,
  subjectOfRecord,
  type HistoryEntryRef,
  type SealedPlace,
} from './sealed-places';
export { SealedValuesModule } from './sealed-values.module';
export { ERASED, SensitiveFields, sensitiveNames, type Erased } from './sensitive-fields';
export { SensitiveViewAudit, SensitiveViews, type Shown } from './sensitive-views';
