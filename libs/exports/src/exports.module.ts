import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import './exports.privileges';
import { ExportApprovalGate } from './approval/export-approval-gate';
import { ExportApprovalKind } from './approval/export-approval-kind';
import { ExportAccess } from './export-access';
import { ExportSources } from './export-sources';
import { ExportTransitions } from './export-transitions';
import { DataExport } from './export.entity';
import { ExportsConfigurableModule } from './exports.module-definition';
import { ExportDownloads } from './files/export-downloads';
import { ExportFileSweep } from './files/export-file-sweep';
import { ExportFileRotationSource } from './files/export-file-rotation-source';
import { ExportFiles } from './files/export-files';
import { ExportFileKeys } from './files/export-file-keys';
import { ExportLog } from './log/export-log';
import { ExportRecord } from './log/export-record.entity';
import { ExportRecords } from './log/export-records';
import { ExportNotifications } from './notifications/export-notifications';
import { ExportRequests } from './requests/export-requests';
import { ExportRunner } from './run/export-runner';
import { ExportSettingsRecord } from './settings/export-settings.entity';
import { ExportSettingsService } from './settings/export-settings.service';

/** Every entity of `@custos/exports`, for the host's DataSource and migrations. */
export const EXPORTS_ENTITIES = [DataExport, ExportSettingsRecord, ExportRecord];

/**
 * Background CSV/XLSX exports under the requester's own rules, with approvals, sealed files,
 * receipts and an export log. Needs `CoreModule` (jobs, files, notifications), `AuditModule`,
 * `CryptoModule`, `AccessModule`, `IdentityModule`, `ApprovalsModule`, the entities in the
 * DataSource, and the host's `EXPORT_SOURCES`. Mounts no routes: import {@link ExportsHttpModule}.
 */
@Module({
  imports: [TypeOrmModule.forFeature(EXPORTS_ENTITIES)],
  providers: [
    ExportAccess,
    ExportSources,
    ExportTransitions,
    ExportFiles,
    ExportFileKeys,
    ExportSettingsService,
    ExportNotifications,
    ExportRecords,
    ExportApprovalGate,
    ExportRunner,
    ExportApprovalKind,
    ExportLog,
    ExportRequests,
    ExportDownloads,
    ExportFileSweep,
    ExportFileRotationSource,
  ],
  exports: [
    ExportFileKeys,
    ExportRequests,
    ExportLog,
    ExportDownloads,
    ExportSettingsService,
    ExportFileSweep,
    ExportRunner,
  ],
})
export class ExportsModule extends ExportsConfigurableModule {}
