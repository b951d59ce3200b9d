import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { CrmModule } from '../crm.module';
import { AttachmentPropertyCleanup } from './attachment-property-cleanup';
import { AttachmentRotationSource } from './attachment-rotation-source';
import { AttachmentStorage } from './attachment-storage';
import { AttachmentSweepJob } from './attachment-sweep.job';
import { AttachmentUploadInterceptor } from './attachment-upload.interceptor';
import { AttachmentService } from './attachment.service';
import {
  ATTACHMENTS_MODULE_OPTIONS,
  AttachmentsConfigurableModule,
  type AttachmentsModuleOptions,
} from './attachments.module-definition';
import { AttachmentsController } from './attachments.controller';
import { LocalDiskAttachmentStorage } from './local-disk-attachment-storage';

/**
 * Files attached to CRM records: `AttachmentsModule.forRoot({ directory })` next to `CrmModule`.
 * Its table (`crm_attachment`) is in `CRM_ENTITIES`.
 */
@Module({
  imports: [CrmModule, SensitiveDataModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentService,
    AttachmentPropertyCleanup,
    AttachmentSweepJob,
    AttachmentRotationSource,
    AttachmentUploadInterceptor,
    {
      provide: AttachmentStorage,
      inject: [ATTACHMENTS_MODULE_OPTIONS],
      useFactory: (options: AttachmentsModuleOptions): AttachmentStorage => {
        if (options.storage) {
          return options.storage;
        }
        if (!options.directory) {
          throw new Error('AttachmentsModule needs a `directory` or a `storage`');
        }
        return new LocalDiskAttachmentStorage(options.directory);
      },
    },
  ],
  exports: [AttachmentService, AttachmentStorage, ATTACHMENTS_MODULE_OPTIONS],
})
export class AttachmentsModule extends AttachmentsConfigurableModule {}
