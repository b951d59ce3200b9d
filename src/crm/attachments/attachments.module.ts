import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { CrmModule } from '../crm.module';
import { AttachmentRotationSource } from './attachment-rotation-source';
import { AttachmentStorage } from './attachment-storage';
import { AttachmentSweepJob } from './attachment-sweep.job';
import { AttachmentUploadInterceptor } from './attachment-upload.interceptor';
import { AttachmentService } from './attachment.service';
import {
  ATTACHMENTS_MODULE_OPTIONS,
  AttachmentsConfigurableModule,
} from './attachments.module-definition';
import { AttachmentsController } from './attachments.controller';

/**
 * Files attached to CRM records: `AttachmentsModule.forRoot({ maxFileBytes })` next to `CrmModule`,
 * the bytes in the app's `FileStore` (`FileStoreModule`). Its table (`crm_attachment`) is in
 * `CRM_ENTITIES`.
 */
@Module({
  imports: [CrmModule, SensitiveDataModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentService,
    AttachmentSweepJob,
    AttachmentRotationSource,
    AttachmentUploadInterceptor,
    AttachmentStorage,
  ],
  exports: [AttachmentService, AttachmentStorage, ATTACHMENTS_MODULE_OPTIONS],
})
export class AttachmentsModule extends AttachmentsConfigurableModule {}
