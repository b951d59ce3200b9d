import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { RecordsModule } from '../records/records.module';
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
  type AttachmentsModuleOptions,
} from './attachments.module-definition';
import { AttachmentsController } from './attachments.controller';
import { LocalDiskAttachmentStorage } from './local-disk-attachment-storage';

export const ATTACHMENTS_ENTITIES = [CrmAttachment];

/** Files attached to CRM records: `AttachmentsModule.forRoot({ directory })` next to `CrmModule`. */
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
