import { Module } from '@nestjs/common';
import { ASSOCIATIONS_ENTITIES, AssociationsModule } from './associations';
import { ATTACHMENTS_ENTITIES } from './attachments';
import { FORMS_ENTITIES } from './forms';
import { IMPORTS_ENTITIES } from './imports';
import { MAILINGS_ENTITIES } from './mailings';
import { RECORDS_ENTITIES, RecordsModule } from './records';
import { SearchModule } from './search';
import { SEGMENTS_ENTITIES, SegmentsModule } from './segments';

/** Every table of the CRM, for the server's DataSource and migrations: each feature's list. */
export const CRM_ENTITIES = [
  ...RECORDS_ENTITIES,
  ...ASSOCIATIONS_ENTITIES,
  ...SEGMENTS_ENTITIES,
  ...IMPORTS_ENTITIES,
  ...ATTACHMENTS_ENTITIES,
  ...FORMS_ENTITIES,
  ...MAILINGS_ENTITIES,
];

/**
 * The CRM the privacy features protect: the records core, search and the features that need no
 * options. Features configured by the host (`ImportsModule`, `FormsModule`, `AttachmentsModule`) are
 * imported next to it with their `forRoot`.
 */
@Module({
  imports: [RecordsModule, SearchModule, AssociationsModule, SegmentsModule],
  exports: [RecordsModule, SearchModule],
})
export class CrmModule {}
