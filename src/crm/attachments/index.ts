/**
 * Files attached to records and their storage.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { fileTooLarge, type UploadedAttachment } from './attachment-upload.interceptor';
export { AttachmentService } from './attachment.service';
export { ATTACHMENTS_ENTITIES, AttachmentsModule } from './attachments.module';
export {
  ATTACHMENTS_MODULE_OPTIONS,
  AttachmentsModuleOptions,
  DEFAULT_ATTACHMENT_MAX_BYTES,
} from './attachments.module-definition';
