import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link ExportsModule} (given to `forRoot`, or returned by the `forRootAsync` factory). */
export class ExportsModuleOptions {
  /** Days a finished file stays downloadable, for accounts that did not set their own. Default 7. */
  fileTtlDays?: number;
  /** Hours a pending approval request waits before it expires, unless the account set its own. Default 72. */
  pendingApprovalHours?: number;
  /** Seconds between two runs of the schedule deleting expired files. Default 3600. */
  fileSweepSeconds?: number;
  /** Rows between two progress updates of a running export (at least one per batch of the source). Default 5000. */
  progressEveryRows?: number;
}

export const DEFAULT_FILE_TTL_DAYS = 7;
export const DEFAULT_PENDING_APPROVAL_HOURS = 72;
export const DEFAULT_FILE_SWEEP_SECONDS = 3600;
export const DEFAULT_PROGRESS_EVERY_ROWS = 5000;

/** Module-level switches; unlike the options they are known before the app starts. */
export interface ExportsModuleExtras {
  /** Make the export services injectable in every module. Default `true`. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: ExportsConfigurableModule,
  MODULE_OPTIONS_TOKEN: EXPORTS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<ExportsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<ExportsModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? true,
  }))
  .build();
