import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { CrmModule } from '../crm.module';
import { ImportFiles } from './import-files';
import { ImportUploadInterceptor } from './import-upload.interceptor';
import { ImportService } from './import.service';
import { ImportWorker } from './import.worker';
import { ImportsConfigurableModule } from './imports.module-definition';
import { ImportsController } from './imports.controller';

/**
 * CSV imports into the CRM: `ImportsModule.forRoot({ maxFileBytes })` next to `CrmModule`, their
 * files in the app's `FileStore` (`FileStoreModule`) until each import ends. Its tables
 * (`crm_import`, `crm_import_error`) are in `CRM_ENTITIES`.
 */
@Module({
  imports: [CrmModule, SensitiveDataModule],
  controllers: [ImportsController],
  providers: [ImportService, ImportWorker, ImportUploadInterceptor, ImportFiles],
})
export class ImportsModule extends ImportsConfigurableModule {}
