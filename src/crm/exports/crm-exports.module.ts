import { Module } from '@nestjs/common';
import { EXPORT_SOURCES, type ExportSource } from '@custos/exports';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { RecordsModule } from '../records';
import { SegmentsModule } from '../segments';
import { ExportedProperties } from './export-columns';
import { ExportedValuesAudit } from './exported-values.audit';
import { HistoryExportSource } from './history-export.source';
import { RecordsExportSource } from './records-export.source';

/**
 * What the CRM offers `@custos/exports` (EXPORT_SOURCES): records of an object type (by filter or
 * segment) and property history, each for the requester with their rights as they are.
 */
@Module({
  imports: [RecordsModule, SegmentsModule, SensitiveDataModule],
  providers: [
    ExportedProperties,
    ExportedValuesAudit,
    RecordsExportSource,
    HistoryExportSource,
    {
      provide: EXPORT_SOURCES,
      useFactory: (records: RecordsExportSource, history: HistoryExportSource): ExportSource[] => [
        records,
        history,
      ],
      inject: [RecordsExportSource, HistoryExportSource],
    },
  ],
  exports: [EXPORT_SOURCES],
})
export class CrmExportsModule {}
