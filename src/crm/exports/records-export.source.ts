import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@custos/core';
import type {
  ExportCell,
  ExportColumn,
  ExportPlan,
  ExportRow,
  ExportSource,
  ExportTarget,
} from '@custos/exports';
import { dialectOf, type PropertySchema } from '../kernel';
import { PropertySchemaService } from '../properties';
import {
  CrmAccessService,
  type RecordAccess,
  RecordQuery,
  fromRow,
  recordColumns,
  type StoredRecord,
  openValue,
  plainValue,
  RecordTotals,
  type ScopedRecords,
} from '../records';
import { compileFilterGroups, type StoredFilterGroup, matchesSensitiveFilters } from '../search';
import { SegmentService } from '../segments';
import { SensitiveViews } from '../sensitive';
import { ExportedValuesAudit } from './exported-values.audit';
import { CrmExportErrors } from './crm-exports.errors';
import {
  ExportedProperties,
  MASKED_CELL,
  carriesSensitive,
  cellTypeOf,
  toCell,
  type ExportedProperty,
} from './export-columns';
import { checkedRecordsTarget } from './export-target.dto';
import { streamedRows } from './streamed-rows';

/** The first column of every records export: the record's id (as HubSpot's "Record ID"). */
export const RECORD_ID_COLUMN: ExportColumn = {
  name: 'record_id',
  type: 'string',
  sensitive: false,
};

/** A records export checked for the current actor, ready to count or to read. */
interface PreparedRecords {
  schema: PropertySchema;
  access: RecordAccess;
  properties: ExportedProperty[];
  filterGroups: readonly StoredFilterGroup[];
  /** The records the actor may export that the filter selects (alias `r`). */
  scope: () => ScopedRecords;
  description: Record<string, unknown>;
}

/**
 * The `records` export source: the records of an object type that the requester may read and
 * `export` (their role's `export` privilege and record rules, through the one scoped query), as
 * a search's filter groups or a saved segment select them, with the properties they may read.
 */
@Injectable()
export class RecordsExportSource implements ExportSource {
  readonly name = 'records';

  constructor(
    private readonly transactions: TransactionHost,
    private readonly schemas: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly totals: RecordTotals,
    private readonly segments: SegmentService,
    private readonly exported: ExportedProperties,
    private readonly valuesAudit: ExportedValuesAudit,
  ) {}

  async plan(target: ExportTarget): Promise<ExportPlan> {
    const prepared = await this.prepare(target);
    const { total } = await this.totals.total(prepared.scope(), 'exact');
    const columns: ExportColumn[] = [
      RECORD_ID_COLUMN,
      ...prepared.properties.map((property) => ({
        name: property.definition.name,
        type: property.as === 'masked' ? ('string' as const) : cellTypeOf(property.definition.type),
        sensitive: carriesSensitive(property),
      })),
    ];
    return {
      columns,
      count: total ?? 0,
      sensitive: columns.some((column) => column.sensitive),
      description: prepared.description,
    };
  }

  async *rows(target: ExportTarget, signal: AbortSignal): AsyncIterable<ExportRow[]> {
    // Rights as they are now: a run after an approval checks them again.
    const prepared = await this.prepare(target);
    const { schema, access, properties, filterGroups } = prepared;
    const pages = streamedRows(
      this.query.builder(prepared.scope()).select(recordColumns(schema)).orderBy('r.id', 'ASC'),
      signal,
    );
    for await (const page of pages) {
      const records = page
        .map((row) => fromRow(schema, row))
        .filter((record) => matchesSensitiveFilters(record, filterGroups, access.sensitive));
      const batch = await this.cells(records, properties, access);
      if (signal.aborted) {
        return;
      }
      if (batch.length > 0) {
        yield batch;
      }
    }
  }

  /** The cells of a page; the sensitive values it opens and reveals are audited before they leave. */
  private async cells(
    records: readonly StoredRecord[],
    properties: readonly ExportedProperty[],
    access: RecordAccess,
  ): Promise<ExportRow[]> {
    const sensitive = access.sensitive;
    const objectType = access.schema.objectType.name;
    const views = new SensitiveViews();
    const revealed = new SensitiveViews();
    const rows = records.map((record): ExportRow => [
      record.id,
      ...properties.map(({ definition, as }): ExportCell => {
        const type = cellTypeOf(definition.type);
        const name = definition.name;
        if (as === 'plain') {
          return toCell(type, plainValue(record, name));
        }
        if (as === 'masked') {
          return record.sealed[name] === undefined ? null : MASKED_CELL;
        }
        // A value that does not open is left empty (it is logged, without its content).
        const value = openValue(record, name, sensitive!) ?? null;
        if (value !== null) {
          (as === 'revealed' ? revealed : views).shown(objectType, record.id, name);
        }
        return toCell(type, value);
      }),
    ]);
    await this.valuesAudit.record(views, revealed);
    return rows;
  }

  private async prepare(target: ExportTarget): Promise<PreparedRecords> {
    const { selection, properties, reveal } = await checkedRecordsTarget(target);
    if (selection.segmentId !== undefined && selection.filterGroups !== undefined) {
      throw CrmExportErrors.filterAndSegment();
    }
    const schema = await this.schemas.schema(selection.objectType);
    const segment =
      selection.segmentId === undefined
        ? undefined
        : await this.segments.visibleSegment(selection.segmentId);
    if (segment && segment.objectType !== schema.objectType.name) {
      throw CrmExportErrors.segmentOfAnotherType(schema.objectType.name);
    }
    const access = await this.crmAccess.forSchema(schema);
    const exported = await this.exported.check(schema, access, properties, reveal);
    const filterGroups: readonly StoredFilterGroup[] =
      segment?.filterGroups ?? selection.filterGroups ?? [];
    const field = segment ? 'selection.segmentId' : 'selection.filterGroups';
    // No oracles: filtering by a property one may not read is refused, as the search refuses it.
    access.assertFiltersReadable(filterGroups, field);
    const condition = compileFilterGroups(
      schema,
      dialectOf(this.transactions.manager.connection.options.type),
      filterGroups,
      'xf',
      field,
      access.sensitive,
    );
    return {
      schema,
      access,
      properties: exported,
      filterGroups,
      scope: () => this.query.scope(schema, access, { action: 'export' }).and(condition),
      description: {
        objectType: schema.objectType.name,
        ...(segment ? { segment: { id: segment.id, name: segment.name } } : {}),
        // The filter's shape, never its values: which properties, which operators.
        filters: filterGroups.map((group) =>
          group.filters.map((filter) => ({
            propertyName: filter.propertyName,
            operator: filter.operator,
          })),
        ),
      },
    };
  }
}
