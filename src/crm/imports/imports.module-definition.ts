import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Default {@link ImportsModuleOptions.maxFileBytes}: 50 MB. */
export const DEFAULT_IMPORT_MAX_BYTES = 50 * 1024 * 1024;

/** Default {@link ImportsModuleOptions.batchSize}. */
export const DEFAULT_IMPORT_BATCH_SIZE = 200;

/** Options of {@link ImportsModule} (given to `forRoot`). */
export class ImportsModuleOptions {
  /** Largest accepted file in bytes; a larger upload gets a 413. Default 50 MB. */
  maxFileBytes?: number;
  /** Rows applied per transaction (and per step of `processedRows`). Default 200. */
  batchSize?: number;
}

export const {
  ConfigurableModuleClass: ImportsConfigurableModule,
  MODULE_OPTIONS_TOKEN: IMPORTS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<ImportsModuleOptions>().setClassMethodName('forRoot').build();
