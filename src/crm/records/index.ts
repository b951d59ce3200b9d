/**
 * The records core: one scoped query, reader, writer, presenter, archive, reveal, the CRM's access
 * to records and the ports through which features hear of writes and purges.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { CrmAccessSubjects } from './crm-access-subjects';
export { CrmAccessService } from './crm-access.service';
export { CrmAuditRedactor } from './crm-audit-redactor';
export { CrmReadableFields } from './crm-readable-fields';
export { RecordAccess } from './record-access';
export { RecordArchive } from './record-archive.service';
export { RecordPurgeHooks, type PurgedRecords, type RecordPurgeHook } from './record-purge.port';
export {
  RecordQuery,
  ScopedRecords,
  type RecordsById,
  type ValueCountedCondition,
} from './record-query';
export { assertChangeable } from './record-restriction';
export { RecordReader } from './record-reader.service';
export { fromRow, recordColumns, type RecordChange, type StoredRecord } from './record-store';
export {
  RecordTotals,
  RecordTotalsModule,
  TOTAL_MODES,
  type RecordTotal,
  type TotalMode,
} from './record-totals';
export { selectedProperties } from './record-values';
export { RecordWriteHooks, type RecordWriteHook } from './record-write.port';
export { RecordWriter } from './record-writer.service';
export { PageTotalDto, RecordDto } from './record.dto';
export { openAhead, openValue, plainValue, RecordPresenter } from './record.presenter';
export { RecordErrors } from './records.errors';
export { RECORDS_ENTITIES, RecordsModule } from './records.module';
export { UniqueValue } from './unique-value.entity';
export { UniqueValues } from './unique-values';
