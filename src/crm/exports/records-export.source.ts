import { setImmediate as nextTurn } from 'node:timers/promises';
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
import { dialectOf, type PropertySchema, type PropertyValue } from '../kernel';
import { PropertySchemaService } from '../properties';
import {
  CrmAccessService,
  type RecordAccess,
  RecordQuery,
  fromRow,
  type StoredRecord,
  openValue,
  plainValue,
  RecordTotals,
  type ScopedRecords,
} from '../records';
import { compileFilterGroups, type StoredFilterGroup, matchesSensitiveFilters } from '../search';
import { SegmentService } from '../segments';
import { ERASED, SensitiveViews } from '../sensitive';
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
import { EXPORT_SLICE_ROWS, type RawRow, streamedRows } from './streamed-rows';

/** The first column of every records export: the record's id (as HubSpot's "Record ID"). */
export const RECORD_ID_COLUMN: ExportColumn = {
  name: 'record_id',
  type: 'string',
  sensitive: false,
  recordId: true,
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
    const columns = readColumns(schema, properties, filterGroups, access);
    const cellsOf = properties.map((property) => cellReader(property, schema, columns, access));
    // A record is made of a row only when a value lives in `custom` (custom or sensitive
    // properties, sensitive filters); otherwise the cells are read straight from the row.
    const recordOf = columns.includes('custom')
      ? (row: RawRow) => fromRow(schema, Object.fromEntries(columns.map((c, i) => [c, row[i]])))
      : undefined;
    const order = await this.query.allByIdOrder(
      schema,
      async () => (await this.totals.total(prepared.scope(), 'exact')).total ?? 0,
    );
    const pages = streamedRows(
      this.query
        .builder(prepared.scope())
        .select(columns.map((column) => `r.${column}`).join(', '))
        .orderBy(order, 'ASC'),
      signal,
    );
    // With sensitive values in clear, a page leaves once its audit event is written; the event is
    // written while the next page is made (the database writes while this process decrypts), so
    // pages leave one behind. Without, there is nothing to wait for: a page leaves at once.
    const audits = properties.some(carriesSensitive);
    // Subject keys only where a value is opened (a cell in clear, a sensitive filter checked in
    // memory): each page's load is a query.
    const opens =
      audits ||
      filterGroups.some((group) =>
        group.filters.some((filter) => access.sensitive?.has(filter.propertyName)),
      );
    let previous: { batch: ExportRow[]; audited: Promise<void> } | undefined;
    for await (const page of pages) {
      const ids = opens ? page.map((row) => row[0] as string) : undefined;
      if (ids) {
        await access.sensitive!.loadSubjects(ids, { cache: false });
      }
      const views = new SensitiveViews();
      const revealed = new SensitiveViews();
      const shown: Shown = { views, revealed, objectType: schema.objectType.name };
      const batch: ExportRow[] = [];
      for (let n = 0; n < page.length; n++) {
        if (n > 0 && n % EXPORT_SLICE_ROWS === 0) {
          await nextTurn();
        }
        const row = page[n];
        const record = recordOf?.(row);
        if (!record || matchesSensitiveFilters(record, filterGroups, access.sensitive)) {
          const cells: ExportRow = new Array<ExportCell>(cellsOf.length + 1);
          cells[0] = row[0] as string;
          for (let i = 0; i < cellsOf.length; i++) {
            cells[i + 1] = cellsOf[i](row, record, shown);
          }
          batch.push(cells);
        }
      }
      // The rows are done with. The generator still holds the page until the next is asked for:
      // kept, 300,000 rows promoted ~120 MB of them to V8's old space, emptied ~2 MB
      // (docs/benchmarks.md).
      page.length = 0;
      if (ids) {
        // Kept to the export's end, 65,577 rows' keys held +186 MB (docs/benchmarks.md): one
        // page's keys at a time.
        access.sensitive!.forgetSubjects(ids);
      }
      if (!audits) {
        if (batch.length > 0 && !signal.aborted) {
          yield batch;
        }
        if (signal.aborted) {
          return;
        }
        continue;
      }
      // The sensitive values the page opens and reveals are audited before they leave.
      const audited = this.valuesAudit.record(views, revealed);
      // A failure surfaces when the page is about to leave; not "unhandled" if the export stops first.
      audited.catch(() => undefined);
      if (previous) {
        yield* this.leaving(previous, signal);
      }
      previous = { batch, audited };
      if (signal.aborted) {
        await audited;
        return;
      }
    }
    if (previous) {
      yield* this.leaving(previous, signal);
    }
  }

  /** A page, once its audit event is written, unless the export was stopped. */
  private async *leaving(
    page: { batch: ExportRow[]; audited: Promise<void> },
    signal: AbortSignal,
  ): AsyncGenerator<ExportRow[]> {
    await page.audited;
    if (!signal.aborted && page.batch.length > 0) {
      yield page.batch;
    }
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

/** Where a page notes the sensitive values it shows. */
interface Shown {
  views: SensitiveViews;
  revealed: SensitiveViews;
  objectType: string;
}

/**
 * How one exported property's cell is read, decided once per export: a value of the table's own
 * columns straight from the row (`plainValue` reads the same column), any other from the record
 * made of the row.
 */
function cellReader(
  { definition, as }: ExportedProperty,
  schema: PropertySchema,
  columns: readonly string[],
  access: RecordAccess,
): (row: RawRow, record: StoredRecord | undefined, shown: Shown) => ExportCell {
  const type = cellTypeOf(definition.type);
  const name = definition.name;
  const column = schema.columns.get(name);
  switch (as) {
    case 'plain':
      if (column !== undefined) {
        const index = columns.indexOf(column);
        return (row) => toCell(type, row[index] as PropertyValue);
      }
      return (_row, record) => toCell(type, plainValue(record!, name));
    case 'masked':
      return (_row, record) => (record!.sealed[name] === undefined ? null : MASKED_CELL);
    case 'open':
    case 'revealed':
      return (_row, record, shown) => {
        // A value that does not open is left empty (it is logged, without its content), as is
        // one erased with its data subject.
        const opened = openValue(record!, name, access.sensitive!);
        const value = opened === ERASED ? null : (opened ?? null);
        if (value !== null) {
          (as === 'revealed' ? shown.revealed : shown.views).shown(
            shown.objectType,
            record!.id,
            name,
          );
        }
        return toCell(type, value);
      };
  }
}

/**
 * The columns an export reads, in the order of its rows: the id, the exported properties' own
 * columns and `custom` when a value it needs lives there (custom and sensitive properties,
 * sensitive filters checked in memory) — not every column of the table: the rows are built and
 * parsed for nothing otherwise. `fromRow` reads an unselected column as empty, and no unselected
 * one is read.
 */
function readColumns(
  schema: PropertySchema,
  properties: readonly ExportedProperty[],
  filterGroups: readonly StoredFilterGroup[],
  access: RecordAccess,
): string[] {
  const names = properties.map(({ definition }) => definition.name);
  for (const group of filterGroups) {
    for (const filter of group.filters) {
      if (access.sensitive?.has(filter.propertyName)) {
        names.push(filter.propertyName);
      }
    }
  }
  const columns = new Set(['id']);
  for (const name of names) {
    columns.add(schema.columns.get(name) ?? 'custom');
  }
  return [...columns];
}
