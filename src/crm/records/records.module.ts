import { Module } from '@nestjs/common';
// Defines the task privileges its routes require (`manage_properties`, …) wherever it is imported.
import '../../task-privileges';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { PropertyHistory, PropertyHistoryService } from '../history';
import {
  CustomPropertyDefinition,
  CustomPropertyIndexes,
  FieldPermissionsController,
  PropertiesController,
  PROPERTY_READERS,
  PropertyDefinitionService,
  PropertySchemaService,
  PropertyUsageRegistry,
  SensitivePropertyPolicy,
} from '../properties';
import { RecordPropertyCleanup } from './record-property-cleanup';
import { CrmRotationSources, SensitiveViewAudit } from '../sensitive';
import { ArchivePurgeJob } from './archive-purge.job';
import { BlindIndexPurge } from './blind-index-purge';
import { BlindIndexEntry } from './blind-index.entity';
import { CrmAccessSubjects } from './crm-access-subjects';
import { CrmAccessService } from './crm-access.service';
import { CrmAuditRedactor } from './crm-audit-redactor';
import { CrmReadableFields } from './crm-readable-fields';
import { RecordArchive } from './record-archive.service';
import { RecordPurgeHooks } from './record-purge.port';
import { RecordQuery } from './record-query';
import { RecordTotals } from './record-totals';
import { RecordReader } from './record-reader.service';
import { RecordWriteHooks } from './record-write.port';
import { RecordWriter } from './record-writer.service';
import { CompanyRecord, ContactRecord, DealRecord } from './record.entities';
import { RecordPresenter } from './record.presenter';
import { RecordsController } from './records.controller';
import { RevealService } from './reveal.service';
import { UniqueValue } from './unique-value.entity';
import { UniqueValues } from './unique-values';

/** The tables of the records core. */
export const RECORDS_ENTITIES = [
  ContactRecord,
  CompanyRecord,
  DealRecord,
  CustomPropertyDefinition,
  UniqueValue,
  BlindIndexEntry,
  PropertyHistory,
];

/**
 * The records core every CRM feature builds on: object types and their properties, records (one
 * scoped query, reader, writer, presenter, archive, reveal), history and the reading of sensitive
 * values. It imports no feature module (search included): features hear of record writes and
 * purges through `RecordWriteHooks` and `RecordPurgeHooks`.
 */
@Module({
  imports: [SensitiveDataModule],
  controllers: [PropertiesController, FieldPermissionsController, RecordsController],
  providers: [
    CrmAccessService,
    // Property definitions ask records which properties the actor may read.
    { provide: PROPERTY_READERS, useExisting: CrmAccessService },
    CrmAccessSubjects,
    CrmAuditRedactor,
    CrmReadableFields,
    PropertySchemaService,
    PropertyDefinitionService,
    CustomPropertyIndexes,
    PropertyUsageRegistry,
    RecordPropertyCleanup,
    SensitivePropertyPolicy,
    RecordQuery,
    RecordTotals,
    RecordReader,
    RecordWriter,
    RecordArchive,
    RevealService,
    RecordPresenter,
    RecordPurgeHooks,
    RecordWriteHooks,
    UniqueValues,
    BlindIndexPurge,
    PropertyHistoryService,
    SensitiveViewAudit,
    ArchivePurgeJob,
    CrmRotationSources,
  ],
  exports: [
    CrmAccessService,
    CrmAccessSubjects,
    CrmAuditRedactor,
    CrmReadableFields,
    PropertySchemaService,
    PropertyUsageRegistry,
    PropertyHistoryService,
    RecordPresenter,
    RecordQuery,
    RecordTotals,
    RecordReader,
    RecordWriter,
    RecordArchive,
    RecordPurgeHooks,
    RecordWriteHooks,
    UniqueValues,
    SensitiveViewAudit,
  ],
})
export class RecordsModule {}
