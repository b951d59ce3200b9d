import { Injectable } from '@nestjs/common';
import { ForegroundRequests, TransactionHost } from '@custos/core';
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
  openAhead,
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
import {
  EXPORT_BATCH_SIZE,
  ExportSlice,
  type RawRow,
  SENSITIVE_EXPORT_BATCH_SIZE,
  streamedRows,
} from './streamed-rows';

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
    private readonly foreground: ForegroundRequests,
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
    // With sensitive values in clear, a page leaves once its audit event is written; the event is
    // written while the next page is made (the database writes while this process decrypts), so
    // pages leave one behind. Without, there is nothing to wait for: a page leaves at once.
    const audits = properties.some(carriesSensitive);
    // The sensitive values a row opens (cells in clear, sensitive filters checked in memory), each
    // page's opened ahead: in the opening workers while this thread makes the page before, or
    // its subject keys loaded (one query) where a page is opened here.
    const readNames = sensitiveReads(properties, filterGroups, access);
    const sensitive = readNames.length > 0 ? access.sensitive! : undefined;
    const { all, rowIds } = await this.query.allById(schema, prepared.scope());
    const pages = streamedRows(
      all.select(columns.map((column) => `r.${column}`).join(', ')),
      signal,
      { rowIds, batchSize: sensitive ? SENSITIVE_EXPORT_BATCH_SIZE : EXPORT_BATCH_SIZE },
    );
    /** A page read, its records made and its sensitive values being opened. */
    interface Opening {
      rows: RawRow[];
      records: (StoredRecord | undefined)[];
      opened: Promise<void>;
    }
    const slice = new ExportSlice(this.foreground);
    const opening = async (rows: RawRow[]): Promise<Opening> => {
      const records = new Array<StoredRecord | undefined>(rows.length);
      for (let n = 0; n < rows.length; n++) {
        if (n % 8 === 7 && slice.over()) {
          await slice.next();
        }
        records[n] = recordOf?.(rows[n]);
      }
      const opened = sensitive
        ? openAhead(records as StoredRecord[], readNames, sensitive)
        : Promise.resolve();
      // A failure surfaces when the page is made; not "unhandled" if the export stops first.
      opened.catch(() => undefined);
      return { rows, records, opened };
    };
    const made = async ({ rows, records, opened }: Opening): Promise<[ExportRow[], Shown]> => {
      await opened;
      const views = new SensitiveViews();
      const revealed = new SensitiveViews();
      const shown: Shown = { views, revealed, objectType: schema.objectType.name };
      const batch: ExportRow[] = [];
      for (let n = 0; n < rows.length; n++) {
        if (n % 8 === 7 && slice.over()) {
          await slice.next();
        }
        const row = rows[n];
        const record = records[n];
        if (!record || matchesSensitiveFilters(record, filterGroups, access.sensitive)) {
          const cells: ExportRow = new Array<ExportCell>(cellsOf.length + 1);
          cells[0] = row[0] as string;
          for (let i = 0; i < cellsOf.length; i++) {
            cells[i + 1] = cellsOf[i](row, record, shown);
          }
          batch.push(cells);
        }
      }
      // Kept to the export's end, 65,577 rows' keys held +186 MB (docs/benchmarks.md): one
      // page's keys (and values opened ahead) at a time.
      sensitive?.forgetSubjects(rows.map((row) => row[0] as string));
      // The rows are done with. The generator still holds the page until the next is asked for:
      // kept, 300,000 rows promoted ~120 MB of them to V8's old space, emptied ~2 MB
      // (docs/benchmarks.md).
      rows.length = 0;
      records.length = 0;
      return [batch, shown];
    };
    // A page is opened while the one before is made (and the one before that written).
    const madePages = async function* (): AsyncGenerator<[ExportRow[], Shown]> {
      let current: Opening | undefined;
      try {
        for await (const page of pages) {
          const ready = current;
          current = await opening(page);
          if (ready) {
            yield await made(ready);
          }
        }
        if (current && !signal.aborted) {
          const last = current;
          current = undefined;
          yield await made(last);
        }
      } finally {
        // A page still being opened when the export stops or fails: its keys and values let go of.
        if (current) {
          await current.opened.catch(() => undefined);
          sensitive?.forgetSubjects(current.rows.map((row) => row[0] as string));
        }
      }
    };
    let previous: { batch: ExportRow[]; audited: Promise<void> } | undefined;
    for await (const [batch, shown] of madePages()) {
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
      const audited = this.valuesAudit.record(shown.views, shown.revealed);
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

/**
 * The sensitive properties whose values an export opens: those of its cells in clear (`open`,
 * `revealed`) and those of its sensitive filters, checked in memory.
 */
function sensitiveReads(
  properties: readonly ExportedProperty[],
  filterGroups: readonly StoredFilterGroup[],
  access: RecordAccess,
): string[] {
  const names = new Set<string>();
  for (const { definition, as } of properties) {
    if (as === 'open' || as === 'revealed') {
      names.add(definition.name);
    }
  }
  for (const group of filterGroups) {
    for (const filter of group.filters) {
      if (access.sensitive?.has(filter.propertyName)) {
        names.add(filter.propertyName);
      }
    }
  }
  return [...names];
}
