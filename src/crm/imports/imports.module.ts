import { Module } from '@nestjs/common';
import { CrmModule } from '../crm.module';
import { ImportUploadInterceptor } from './import-upload.interceptor';
import { ImportService } from './import.service';
import { ImportWorker } from './import.worker';
import { ImportsConfigurableModule } from './imports.module-definition';
import { ImportsController } from './imports.controller';

/**
 * CSV imports into the CRM: `ImportsModule.forRoot({ directory })` next to `CrmModule`. Its tables
 * (`crm_import`, `crm_import_error`) are in `CRM_ENTITIES`.
 */
@Module({
  imports: [CrmModule],
  controllers: [ImportsController],
  providers: [ImportService, ImportWorker, ImportUploadInterceptor],
})
export class ImportsModule extends ImportsConfigurableModule {}
