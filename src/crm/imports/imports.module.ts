import { Module } from '@nestjs/common';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { RecordsModule } from '../records';
import { ImportRowError } from './import-error.entity';
import { ImportFiles } from './import-files';
import { CrmImport } from './import.entity';
import { ImportUploadInterceptor } from './import-upload.interceptor';
import { ImportService } from './import.service';
import { ImportWorker } from './import.worker';
import { ImportsConfigurableModule } from './imports.module-definition';
import { ImportsController } from './imports.controller';

export const IMPORTS_ENTITIES = [CrmImport, ImportRowError];

/**
 * CSV imports into the CRM: `ImportsModule.forRoot({ maxFileBytes })` next to `CrmModule`, their
 * files in the app's `FileStore` (`FileStoreModule`) until each import ends.
 */
@Module({
  imports: [RecordsModule, SensitiveDataModule],
  controllers: [ImportsController],
  providers: [ImportService, ImportWorker, ImportUploadInterceptor, ImportFiles],
})
export class ImportsModule extends ImportsConfigurableModule {}
