import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Default {@link AttachmentsModuleOptions.maxFileBytes}: 25 MB. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

/** Options of {@link AttachmentsModule} (given to `forRoot`). */
export class AttachmentsModuleOptions {
  /** Largest accepted file in bytes; a larger upload gets a 413. Default 25 MB. */
  maxFileBytes?: number;
}

export const {
  ConfigurableModuleClass: AttachmentsConfigurableModule,
  MODULE_OPTIONS_TOKEN: ATTACHMENTS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AttachmentsModuleOptions>().setClassMethodName('forRoot').build();
