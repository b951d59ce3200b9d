import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { RecordsModule } from '../records';
import { AttachmentPropertyCleanup } from './attachment-property-cleanup';
import { AttachmentRecordHooks } from './attachment-record-hooks';
import { AttachmentRotationSource } from './attachment-rotation-source';
import { AttachmentStorage } from './attachment-storage';
import { CrmAttachment } from './attachment.entity';
import { AttachmentSweepJob } from './attachment-sweep.job';
import { AttachmentUploadInterceptor } from './attachment-upload.interceptor';
import { AttachmentService } from './attachment.service';
import {
  ATTACHMENTS_MODULE_OPTIONS,
  AttachmentsConfigurableModule,
} from './attachments.module-definition';
import { AttachmentsController } from './attachments.controller';

export const ATTACHMENTS_ENTITIES = [CrmAttachment];

/**
 * Files attached to CRM records: `AttachmentsModule.forRoot({ maxFileBytes })` next to `CrmModule`,
 * the bytes in the app's `FileStore` (`FileStoreModule`).
 */
@Module({
  imports: [RecordsModule, SensitiveDataModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentService,
    AttachmentRecordHooks,
    AttachmentPropertyCleanup,
    AttachmentSweepJob,
    AttachmentRotationSource,
    AttachmentUploadInterceptor,
    AttachmentStorage,
  ],
  exports: [AttachmentService, AttachmentStorage, ATTACHMENTS_MODULE_OPTIONS],
})
export class AttachmentsModule extends AttachmentsConfigurableModule {}
