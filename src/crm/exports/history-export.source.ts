import { Injectable } from '@nestjs/common';
import type {
  ExportCellType,
  ExportColumn,
  ExportPlan,
  ExportRow,
  ExportSource,
  ExportTarget,
} from '@custos/exports';
import { PropertyHistoryService, type PropertyHistory } from '../history';
import { type PropertySchema } from '../kernel';
import { PropertySchemaService } from '../properties';
import { CrmAccessService, type RecordAccess, RecordQuery, RecordPresenter } from '../records';
import { SensitiveViews } from '../sensitive';
import { ExportedValuesAudit } from './exported-values.audit';
import {
  ExportedProperties,
  MASKED_CELL,
  carriesSensitive,
  cellTypeOf,
  toCell,
  type ExportedProperty,
} from './export-columns';
import { checkedHistoryTarget } from './export-target.dto';
import { KEYSET_PAGE_SIZE, keysetPages } from './keyset-pages';

/** A history export checked for the current actor. */
interface PreparedHistory {
  schema: PropertySchema;
  access: RecordAccess;
  properties: ExportedProperty[];
  /** The type of the `value` column: the chosen properties' common cell type, else text. */
  valueType: ExportCellType;
  recordIds: string[] | undefined;
}

/**
 * The `history` export source: the property history (record, property, value set, when, by whom
 * and how) of the chosen properties — each readable by the requester — of the records they may
 * read and `export`, all or those named; sealed values open under the same policy as records.
 */
@Injectable()
export class HistoryExportSource implements ExportSource {
  readonly name = 'history';

  constructor(
    private readonly schemas: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly history: PropertyHistoryService,
    private readonly presenter: RecordPresenter,
    private readonly exported: ExportedProperties,
    private readonly valuesAudit: ExportedValuesAudit,
  ) {}

  async plan(target: ExportTarget): Promise<ExportPlan> {
    const prepared = await this.prepare(target);
    const count = await this.entries(prepared).getCount();
    const columns: ExportColumn[] = [
      { name: 'record_id', type: 'string', sensitive: false, recordId: true },
      { name: 'property', type: 'string', sensitive: false },
      {
        name: 'value',
        type: prepared.valueType,
        sensitive: prepared.properties.some(carriesSensitive),
      },
      { name: 'changed_at', type: 'datetime', sensitive: false },
      { name: 'changed_by', type: 'string', sensitive: false },
      { name: 'source', type: 'string', sensitive: false },
    ];
    return {
      columns,
      count,
      sensitive: columns.some((column) => column.sensitive),
      description: {
        objectType: prepared.schema.objectType.name,
        properties: prepared.properties.map((p) => p.definition.name),
        ...(prepared.recordIds ? { records: prepared.recordIds.length } : {}),
      },
    };
  }

  async *rows(target: ExportTarget, signal: AbortSignal): AsyncIterable<ExportRow[]> {
    const prepared = await this.prepare(target);
    const pages = keysetPages(
      (after) => {
        const builder = this.entries(prepared).orderBy('h.id', 'ASC').limit(KEYSET_PAGE_SIZE);
        if (after !== undefined) {
          builder.andWhere('h.id > :historyAfter', { historyAfter: after });
        }
        return builder.getMany();
      },
      (entry) => entry.id,
      signal,
    );
    for await (const page of pages) {
      const batch = await this.cells(page, prepared);
      if (signal.aborted) {
        return;
      }
      yield batch;
    }
  }

  private entries(prepared: PreparedHistory) {
    const records = this.query
      .scoped(prepared.schema, prepared.access, { action: 'export' })
      .select('r.id');
    if (prepared.recordIds) {
      records.andWhere('r.id IN (:...exportRecordIds)', { exportRecordIds: prepared.recordIds });
    }
    return this.history.ofRecords(
      prepared.schema.objectType.name,
      prepared.properties.map((p) => p.definition.name),
      records,
    );
  }

  /** The cells of a page of entries; sensitive values opened or revealed are audited first. */
  private async cells(
    entries: readonly PropertyHistory[],
    { access, properties, valueType }: PreparedHistory,
  ): Promise<ExportRow[]> {
    const recordIds = entries.map((h) => h.recordId);
    await access.sensitive?.loadSubjects(recordIds, { cache: false });
    const how = new Map(properties.map((p) => [p.definition.name, p.as]));
    const views = new SensitiveViews();
    const revealed = new SensitiveViews();
    const rows = entries.map((h): ExportRow => {
      const as = how.get(h.propertyName)!;
      // The presenter opens history values as the record's history shows them (masked unless revealing).
      const shown = this.presenter.historyEntry(
        h,
        access.sensitive,
        as === 'revealed' ? 'revealing' : views,
      );
      if (as === 'revealed' && (shown.newValue ?? null) !== null) {
        revealed.shown(h.objectType, h.recordId, h.propertyName);
      }
      const value = shown.masked?.includes('newValue')
        ? MASKED_CELL
        : toCell(valueType, shown.newValue ?? null);
      return [
        h.recordId,
        h.propertyName,
        value,
        h.changedAt,
        `${h.actorKind}:${h.actorId}`,
        h.source,
      ];
    });
    // One page's keys at a time, however long the export.
    access.sensitive?.forgetSubjects(recordIds);
    await this.valuesAudit.record(views, revealed, { history: true });
    return rows;
  }

  private async prepare(target: ExportTarget): Promise<PreparedHistory> {
    const { selection, properties, reveal } = await checkedHistoryTarget(target);
    const schema = await this.schemas.schema(selection.objectType);
    const access = await this.crmAccess.forSchema(schema);
    const exported = await this.exported.check(schema, access, properties, reveal);
    const types = new Set(
      exported.map((p) => (p.as === 'masked' ? 'string' : cellTypeOf(p.definition.type))),
    );
    return {
      schema,
      access,
      properties: exported,
      valueType: types.size === 1 ? [...types][0] : 'string',
      recordIds: selection.recordIds && [
        ...new Set(selection.recordIds.map((id) => id.toLowerCase())),
      ],
    };
  }
}
