import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AttachmentStorage } from './attachment-storage';

/** Default {@link AttachmentsModuleOptions.maxFileBytes}: 25 MB. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

/** Options of {@link AttachmentsModule} (given to `forRoot`). */
export class AttachmentsModuleOptions {
  /**
   * Folder of the default local-disk storage; the server uses `<CUSTOS_DATA_DIR>/attachments`.
   * Ignored when `storage` is given.
   */
  directory?: string;
  /** Another storage (an object store) in place of the local disk. */
  storage?: AttachmentStorage;
  /** Largest accepted file in bytes; a larger upload gets a 413. Default 25 MB. */
  maxFileBytes?: number;
}

export const {
  ConfigurableModuleClass: AttachmentsConfigurableModule,
  MODULE_OPTIONS_TOKEN: ATTACHMENTS_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<AttachmentsModuleOptions>().setClassMethodName('forRoot').build();
