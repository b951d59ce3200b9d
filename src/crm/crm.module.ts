import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CrmRotationSources } from './sensitive/rotation-sources';
import { SensitiveViews, SensitiveViewsInterceptor } from './sensitive/sensitive-views';
import { RecordPresenter } from './records/record.presenter';
import { SensitiveDataModule } from '../sensitive-data/sensitive-data.module';
import { CrmAccessSubjects } from './records/crm-access-subjects';
import { SensitiveDefinitionsSweep } from './sensitive/sensitive-definitions.sweep';
import { CrmAuditRedactor } from './records/crm-audit-redactor';
import { CrmReadableFields } from './records/crm-readable-fields';
import { CrmAccessService } from './records/crm-access.service';
import { CrmAttachment } from './attachments/attachment.entity';
import { Association } from './associations/association.entity';
import { AssociationService } from './associations/association.service';
import { AssociationsController } from './associations/associations.controller';
import { PropertyHistory } from './history/property-history.entity';
import { FormSubmission } from './forms/form-submission.entity';
import { CrmForm } from './forms/form.entity';
import { CrmNotification } from './forms/notification.entity';
import { ImportRowError } from './imports/import-error.entity';
import { CrmImport } from './imports/import.entity';
import { FieldPermissionsController } from './properties/field-permissions.controller';
import { PropertiesController } from './properties/properties.controller';
import { CustomPropertyDefinition } from './properties/property-definition.entity';
import { PropertyService } from './properties/property.service';
import { ArchivePurgeJob } from './records/archive-purge.job';
import { BlindIndexEntry } from './records/blind-index.entity';
import { CompanyRecord, ContactRecord, DealRecord } from './records/record.entities';
import { RecordService } from './records/record.service';
import { RecordsController } from './records/records.controller';
import { UniqueValue } from './records/unique-value.entity';
import { SearchService } from './search/search.service';
import { Segment } from './segments/segment.entity';
import { SegmentService } from './segments/segment.service';
import { SegmentsController } from './segments/segments.controller';

/** Every table of the CRM, for the server's DataSource and migrations. */
export const CRM_ENTITIES = [
  ContactRecord,
  CompanyRecord,
  DealRecord,
  CustomPropertyDefinition,
  UniqueValue,
  BlindIndexEntry,
  PropertyHistory,
  Association,
  Segment,
  CrmImport,
  ImportRowError,
  CrmAttachment,
  CrmForm,
  FormSubmission,
  CrmNotification,
];

/** The CRM the privacy features protect: contacts, companies, deals, properties, history, search, segments. */
@Module({
  imports: [SensitiveDataModule],
  controllers: [
    PropertiesController,
    FieldPermissionsController,
    RecordsController,
    AssociationsController,
    SegmentsController,
  ],
  providers: [
    CrmAccessService,
    CrmAccessSubjects,
    CrmAuditRedactor,
    CrmReadableFields,
    PropertyService,
    RecordService,
    RecordPresenter,
    SearchService,
    AssociationService,
    SegmentService,
    ArchivePurgeJob,
    SensitiveDefinitionsSweep,
    SensitiveViews,
    CrmRotationSources,
    { provide: APP_INTERCEPTOR, useClass: SensitiveViewsInterceptor },
  ],
  exports: [
    CrmAccessService,
    CrmAccessSubjects,
    CrmAuditRedactor,
    CrmReadableFields,
    PropertyService,
    RecordService,
    SearchService,
  ],
})
export class CrmModule {}
