export { CrmExportsModule } from './crm-exports.module';
export { MASKED_CELL, cellTypeOf, toCell } from './export-columns';
export { EXPORT_BATCH_SIZE, SENSITIVE_EXPORT_BATCH_SIZE } from './streamed-rows';
