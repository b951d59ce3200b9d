import { Module } from '@nestjs/common';
import { ASSOCIATIONS_ENTITIES, AssociationsModule } from './associations/associations.module';
import { ATTACHMENTS_ENTITIES } from './attachments/attachments.module';
import { FORMS_ENTITIES } from './forms/forms.module';
import { IMPORTS_ENTITIES } from './imports/imports.module';
import { RECORDS_ENTITIES, RecordsModule } from './records/records.module';
import { SEGMENTS_ENTITIES, SegmentsModule } from './segments/segments.module';

/** Every table of the CRM, for the server's DataSource and migrations: each feature's list. */
export const CRM_ENTITIES = [
  ...RECORDS_ENTITIES,
  ...ASSOCIATIONS_ENTITIES,
  ...SEGMENTS_ENTITIES,
  ...IMPORTS_ENTITIES,
  ...ATTACHMENTS_ENTITIES,
  ...FORMS_ENTITIES,
];

/**
 * The CRM the privacy features protect: the records core and the features that need no options.
 * Features configured by the host (`ImportsModule`, `FormsModule`, `AttachmentsModule`) are
 * imported next to it with their `forRoot`.
 */
@Module({
  imports: [RecordsModule, AssociationsModule, SegmentsModule],
  exports: [RecordsModule],
})
export class CrmModule {}
