export {
  EXPORT_SOURCES,
  type ExportCell,
  type ExportCellType,
  type ExportColumn,
  type ExportPlan,
  type ExportRow,
  type ExportSource,
  type ExportTarget,
} from './export-source';
export { EXPORT_PRIVILEGES, type ExportPrivilege } from './exports.privileges';
export { ExportsModule, EXPORTS_ENTITIES } from './exports.module';
export { ExportsHttpModule } from './exports-http.module';
export {
  ExportsModuleOptions,
  EXPORTS_MODULE_OPTIONS,
  DEFAULT_FILE_TTL_DAYS,
  DEFAULT_PENDING_APPROVAL_HOURS,
} from './exports.module-definition';
export { ExportErrors, EXPORT_FAILURES } from './exports.errors';
export {
  DataExport,
  EXPORT_STATES,
  EXPORT_FORMATS,
  type ExportState,
  type ExportFormat,
} from './export.entity';
export { ExportSettingsRecord } from './settings/export-settings.entity';
export { ExportSettingsService, type ExportSettings } from './settings/export-settings.service';
export type { ExportView } from './export.view';
export { ExportRequests, type ExportRequest } from './requests/export-requests';
export { ExportLog } from './log/export-log';
export { ExportDownloads } from './files/export-downloads';
export { ExportFileKeys } from './files/export-file-keys';
export { ExportFileSweep, EXPORT_FILE_SWEEP } from './files/export-file-sweep';
export { ExportRunner, EXPORT_QUEUE } from './run/export-runner';
export { EXPORT_APPROVAL_KIND } from './approval/export-approval-kind';
export { EXPORT_READY, EXPORT_FAILED } from './notifications/export-notifications';
export {
  CreateExportDto,
  RejectExportDto,
  ListExportsQueryDto,
  ExportDto,
  ExportPageDto,
  ExportSettingsDto,
} from './http/export.dto';
export { EXPORTS_MIGRATIONS } from './migrations';
export { needsNeutralising, neutralisedText } from './writers/formula-neutralising';
export { zipArchive, type ZipEntry } from './writers/zip-writer';
