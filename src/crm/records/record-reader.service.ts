import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_SIZE, decodeCursor, mapPage, toPage, type Page } from '@custos/core';
import { PropertyHistoryService } from '../history';
import { PropertySchemaService } from '../properties';
import { SensitiveViews, type Shown } from '../sensitive';
import { CrmAccessService } from './crm-access.service';
import { RecordQuery } from './record-query';
import { RecordTotals, type RecordTotal, type TotalMode } from './record-totals';
import { fromRow, recordColumns } from './record-store';
import { selectedProperties } from './record-values';
import type { HistoryEntryDto, RecordDto } from './record.dto';
import { RecordPresenter } from './record.presenter';
import { RecordErrors } from './records.errors';

/**
 * Reads of records and their history as the actor may see them. Each read returns the sensitive
 * values it showed ({@link Shown}); the caller writes their `sensitive_data.viewed` event.
 */
@Injectable()
export class RecordReader {
  constructor(
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly presenter: RecordPresenter,
    private readonly histories: PropertyHistoryService,
    private readonly totals: RecordTotals,
  ) {}

  async get(
    objectType: string,
    id: string,
    selection?: string[],
    archived = false,
  ): Promise<Shown<RecordDto>> {
    const access = await this.crmAccess.forSchema(await this.properties.schema(objectType));
    const record = await this.query.require(access.schema, access, id, 'read', { archived });
    const names = selectedProperties(access.schema, selection, 'properties');
    const views = new SensitiveViews();
    return { value: this.presenter.record(record, names, access, views), views };
  }

  async list(
    objectType: string,
    query: {
      limit?: number;
      after?: string;
      properties?: string[];
      archived?: boolean;
      total?: TotalMode;
    },
  ): Promise<Shown<Page<RecordDto> & RecordTotal>> {
    const schema = await this.properties.schema(objectType);
    const names = selectedProperties(schema, query.properties, 'properties');
    const access = await this.crmAccess.forSchema(schema);
    const archived = query.archived ?? false;
    const readable = this.query.scope(schema, access, { archived });
    const counted = await this.totals.total(readable, query.total ?? 'none');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    // Only live records have the indexes the page could walk instead (see walksSortIndex).
    const walked = archived
      ? undefined
      : await this.query.walksSortIndex(schema, 'id', counted.total ?? readable, limit);
    let scope = this.query.scope(schema, access, { archived, scopeIndexes: !walked });
    if (walked) {
      scope = scope.walking(walked);
    }
    if (query.after !== undefined) {
      const [after] = decodeCursor(query.after, 1);
      scope = scope.and({ sql: 'r.id > :keysetAfter', parameters: { keysetAfter: after } });
    }
    const rows = await this.query.rows(scope, {
      select: recordColumns(schema),
      order: 'r.id ASC',
      limit: limit + 1,
    });
    const page = toPage(
      rows,
      limit,
      (row) => [row.id as string],
      (row) => fromRow(schema, row),
    );
    await access.sensitive?.loadSubjects(page.results.map((record) => record.id));
    const { value: results, views } = this.presenter.records(page.results, names, access);
    return { value: { ...counted, results, paging: page.paging }, views };
  }

  /** The records among `ids` the actor may read, in the order asked; the others are left out. */
  async batchRead(
    objectType: string,
    ids: string[],
    selection?: string[],
  ): Promise<Shown<RecordDto[]>> {
    const schema = await this.properties.schema(objectType);
    const names = selectedProperties(schema, selection, 'properties');
    const access = await this.crmAccess.forSchema(schema);
    const byId = new Map(
      (await this.query.find(schema, access, ids)).map((record) => [record.id, record]),
    );
    return this.presenter.records(
      ids.flatMap((id) => byId.get(id) ?? []),
      names,
      access,
    );
  }

  /**
   * History entries by id, as {@link history} shows them: only of records the actor may read
   * (archived or not) and of properties they may read; the others are left out.
   */
  async historyEntries(
    objectType: string,
    ids: string[],
  ): Promise<Shown<Map<string, HistoryEntryDto>>> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    const entries = await this.histories.byIds(objectType, ids);
    const recordIds = [...new Set(entries.map((h) => h.recordId))];
    const readable = new Set(
      (await this.query.find(schema, access, recordIds, { archived: 'any' })).map((r) => r.id),
    );
    await access.sensitive?.loadSubjects(readable);
    const views = new SensitiveViews();
    const shown = entries.filter(
      (h) =>
        readable.has(h.recordId) &&
        (!schema.byName.has(h.propertyName) || access.canView(h.propertyName)),
    );
    return {
      value: new Map(
        shown.map((h) => [h.id, this.presenter.historyEntry(h, access.sensitive, views)]),
      ),
      views,
    };
  }

  /**
   * The property history of a record the actor may read (archived or not), leaving out the
   * properties they may not read.
   */
  async history(
    objectType: string,
    id: string,
    query: { property?: string; limit?: number; after?: string },
  ): Promise<Shown<Page<HistoryEntryDto>>> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    await this.query.require(schema, access, id, 'read', { archived: 'any' });
    if (query.property !== undefined) {
      if (!schema.byName.has(query.property)) {
        throw RecordErrors.unknownProperty(schema, 'property');
      }
      access.assertReadable(query.property, 'property');
    }
    const hidden = [...schema.byName.keys()].filter((name) => !access.canView(name));
    const page = await this.histories.page(id, { ...query, hidden });
    const views = new SensitiveViews();
    return {
      value: mapPage(page, (h) => this.presenter.historyEntry(h, access.sensitive, views)),
      views,
    };
  }
}
