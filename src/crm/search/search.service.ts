import { Injectable } from '@nestjs/common';
import type { SqlCondition } from '@custos/access';
import {
  DEFAULT_PAGE_SIZE,
  TransactionHost,
  decodeCursor,
  encodeCursor,
  type Page,
} from '@custos/core';
import {
  CrmAccessService,
  fromRow,
  openValue,
  recordColumns,
  RecordPresenter,
  RecordQuery,
  RecordTotals,
  selectedProperties,
  type RecordAccess,
  type RecordDto,
  type RecordTotal,
  type StoredRecord,
  type TotalMode,
} from '../records';
import { PropertySchemaService } from '../properties';
import {
  dialectOf,
  propertyExpression,
  SYSTEM_PROPERTIES,
  type PropertySchema,
  type PropertyValue,
  type SqlDialect,
} from '../kernel';
import { normalizeForIndex } from '@custos/crypto';
import { AuditService } from '@custos/audit';
import { ERASED, type SensitiveFields, type Shown } from '../sensitive';
import {
  compileFilterGroups,
  definitionFor,
  filterValue,
  type StoredFilterGroup,
} from './filter-sql';
import type { SearchDto, SortDto } from './search.dto';
import { SearchErrors } from './search.errors';

export interface SearchPage extends Page<RecordDto>, RecordTotal {}

/**
 * Search over records, evaluated entirely in SQL: filters, sort, keyset pagination and the total
 * count, the same query on SQLite and PostgreSQL.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly properties: PropertySchemaService,
    private readonly query: RecordQuery,
    private readonly presenter: RecordPresenter,
    private readonly crmAccess: CrmAccessService,
    private readonly audit: AuditService,
    private readonly totals: RecordTotals,
  ) {}

  async search(objectType: string, query: SearchDto): Promise<Shown<SearchPage>> {
    // Independent look-ups, made together: one database round trip less per search.
    const [schema, actorAccess] = await this.transactions.all(
      () => this.properties.schema(objectType),
      () => this.crmAccess.actorAccess(),
    );
    const selection = selectedProperties(schema, query.properties, 'properties');
    const access = await this.crmAccess.forSchema(schema, actorAccess);
    return this.run(schema, query.filterGroups ?? [], query.sorts?.[0], query, selection, access);
  }

  /**
   * Runs a filtered, sorted, paginated query over the records the actor may read; also used by
   * segments. `selection`: the properties shown (all when left out).
   */
  async run(
    schema: PropertySchema,
    filterGroups: readonly StoredFilterGroup[],
    sort: SortDto | undefined,
    page: { limit?: number; after?: string; total?: TotalMode },
    selection: readonly string[] = [...schema.byName.keys()],
    recordAccess?: RecordAccess,
  ): Promise<Shown<SearchPage>> {
    const manager = this.transactions.manager;
    const dialect = dialectOf(manager.connection.options.type);
    const access = recordAccess ?? (await this.crmAccess.forSchema(schema));
    // No oracles: filtering or sorting by a property one may not read is refused.
    access.assertFiltersReadable(filterGroups);
    if (sort) {
      access.assertReadable(sort.propertyName, 'sorts[0].propertyName');
    }
    const condition = compileFilterGroups(
      schema,
      dialect,
      filterGroups,
      'f',
      'filterGroups',
      access.sensitive,
    );
    const scope = (scopeIndexes = true) =>
      this.query.scope(schema, access, { scopeIndexes }).and(condition);
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    /** The page's rows; on SQLite, `walked`: the sort's index to walk (see walksSortIndex). */
    const rowsOf = (walked?: string) => {
      const order = sort ? this.sortOrder(schema, dialect, sort, page.after) : idOrder(page.after);
      const scoped = scope(walked === undefined).and(order.after);
      return this.query.rows(walked ? scoped.walking(walked) : scoped, {
        select: sort
          ? `${recordColumns(schema)}, ${order.value} AS "sort_value"`
          : recordColumns(schema),
        order: order.by,
        limit: limit + 1,
      });
    };
    const mode = page.total ?? 'exact';
    const sortColumn = sort ? schema.columns.get(sort.propertyName) : 'id';
    let rows: Record<string, unknown>[];
    let counted: RecordTotal;
    if (this.query.plansFromCounts && sortColumn !== undefined) {
      // SQLite: how wide the scope is decides the page's plan — the total, or without one a count
      // only as far as the decision needs.
      counted = await this.totals.total(scope(), mode);
      rows = await rowsOf(
        await this.query.walksSortIndex(schema, sortColumn, counted.total ?? scope(), limit),
      );
    } else {
      [rows, counted] = await this.transactions.all(
        () => rowsOf(),
        () => this.totals.total(scope(), mode),
      );
    }
    const pageRows = rows.slice(0, limit);
    await access.sensitive?.loadSubjects(pageRows.map((row) => row.id as string));
    const records = pageRows
      .map((row) => fromRow(schema, row))
      .filter((record) => matchesSensitiveFilters(record, filterGroups, access.sensitive));
    await this.auditHighlySensitiveFilters(schema, filterGroups, records, access);
    const last = pageRows[pageRows.length - 1];
    let next: string | undefined;
    if (rows.length > limit && last) {
      const id = last.id as string;
      next = sort
        ? encodeCursor(cursorKey(last.sort_value as PropertyValue, id))
        : encodeCursor([id]);
    }
    const { value: results, views } = this.presenter.records(records, selection, access);
    return {
      value: { ...counted, results, paging: next ? { next: { after: next } } : {} },
      views,
    };
  }

  /**
   * A filter on a highly sensitive property tells which records hold a guessed value (or none):
   * only people who may reveal it get this far (see `assertFiltersReadable`), and each such search
   * is audited like a reveal, naming the properties and the records found, never the values.
   */
  private async auditHighlySensitiveFilters(
    schema: PropertySchema,
    filterGroups: readonly StoredFilterGroup[],
    found: readonly StoredRecord[],
    access: RecordAccess,
  ): Promise<void> {
    const sensitive = access.sensitive;
    const properties = [
      ...new Set(
        filterGroups
          .flatMap((group) => group.filters.map((filter) => filter.propertyName))
          .filter((name) => sensitive?.has(name) && sensitive.masked(name)),
      ),
    ].sort();
    if (properties.length === 0) {
      return;
    }
    const recordIds = found.map((record) => record.id).sort();
    await this.audit.record({
      action: 'sensitive_data.searched',
      targetType: schema.objectType.name,
      targetId: recordIds.length === 1 ? recordIds[0] : `${recordIds.length} records`,
      metadata: { properties, recordIds },
    });
  }

  /**
   * Orders by one property (empty values last, ties by id in the same direction) and continues
   * after the cursor. The order is the one of the property's index read forwards or backwards, so
   * that a page walks the index rather than sorting: ties by id in the sort's direction, and no
   * `NULLS LAST` on the dates the system always sets (PostgreSQL would not match it to the index).
   */
  private sortOrder(
    schema: PropertySchema,
    dialect: SqlDialect,
    sort: SortDto,
    after: string | undefined,
  ): PageOrder {
    const definition = definitionFor(schema, sort.propertyName, 'sorts[0].propertyName');
    if (definition.sensitivity) {
      throw SearchErrors.invalidSort(
        `"${definition.name}" is sensitive and stored encrypted: it cannot be sorted by`,
      );
    }
    if (definition.type === 'bool') {
      throw SearchErrors.invalidSort('boolean properties cannot be sorted');
    }
    const expression = propertyExpression(schema, dialect, sort.propertyName);
    const ascending = sort.direction === 'ASCENDING';
    const beyond = ascending ? '>' : '<';
    let continued: SqlCondition | undefined;
    if (after !== undefined) {
      const [hasValue, value, id] = decodeCursor(after, 3);
      // A cursor of another sort (or a forged one) would compare values of the wrong type in
      // SQL: an error on PostgreSQL, silently wrong pages on SQLite.
      const valueType = NUMERIC_TYPES.has(definition.type) ? 'number' : 'string';
      if (
        typeof id !== 'string' ||
        (hasValue !== 0 && hasValue !== 1) ||
        (hasValue === 1 && typeof value !== valueType)
      ) {
        throw SearchErrors.invalidCursor();
      }
      continued =
        hasValue === 1
          ? {
              sql: `${expression} ${beyond} :afterValue OR (${expression} = :afterValue AND r.id ${beyond} :afterId) OR ${expression} IS NULL`,
              parameters: { afterValue: value, afterId: id },
            }
          : {
              sql: `${expression} IS NULL AND r.id ${beyond} :afterId`,
              parameters: { afterId: id },
            };
    }
    const direction = ascending ? 'ASC' : 'DESC';
    const nulls = ALWAYS_SET.has(sort.propertyName) ? '' : ' NULLS LAST';
    return {
      value: expression,
      by: `${expression} ${direction}${nulls}, r.id ${direction}`,
      after: continued,
    };
  }
}

/** How a page is ordered: the sort value selected, `ORDER BY`, and the cursor's condition. */
interface PageOrder {
  value?: string;
  by: string;
  after?: SqlCondition;
}

/** The default order, by id, after the cursor's id. */
function idOrder(after: string | undefined): PageOrder {
  if (after === undefined) {
    return { by: 'r.id ASC' };
  }
  const [id] = decodeCursor(after, 1);
  if (typeof id !== 'string') {
    throw SearchErrors.invalidCursor();
  }
  return { by: 'r.id ASC', after: { sql: 'r.id > :afterId', parameters: { afterId: id } } };
}

/**
 * Blind-index tokens are truncated, so a token match is a candidate: a record stays only if some
 * filter group's sensitive equality filters hold for its decrypted values (never shown). With
 * several groups this is a necessary condition, and the total counts candidates: at 64 bits a
 * false candidate is expected about once in 10^19 comparisons. A saved filter holds tokens, not
 * values, so its token match is final.
 */
export function matchesSensitiveFilters(
  record: StoredRecord,
  groups: readonly StoredFilterGroup[],
  sensitive: SensitiveFields | null,
): boolean {
  if (!sensitive || groups.length === 0) {
    return true;
  }
  return groups.some((group) =>
    group.filters.every((filter) => {
      if (
        !sensitive.has(filter.propertyName) ||
        !['eq', 'in'].includes(filter.operator) ||
        filter.tokens
      ) {
        return true;
      }
      const definition = sensitive.definition(filter.propertyName);
      const value = openValue(record, filter.propertyName, sensitive);
      if (value === undefined || value === null || value === ERASED) {
        return false;
      }
      const wanted = filter.operator === 'eq' ? [filter.value] : (filter.values ?? []);
      const stored = normalizeForIndex(String(value));
      return wanted.some(
        (raw) => normalizeForIndex(String(filterValue(definition, raw, 'value'))) === stored,
      );
    }),
  );
}

const NUMERIC_TYPES: ReadonlySet<string> = new Set(['number', 'score', 'calculation']);

/** Dates the system sets on every record (create and last-modified date): never empty. */
const ALWAYS_SET: ReadonlySet<string> = new Set(
  SYSTEM_PROPERTIES.filter((property) => property.readOnly).map((property) => property.name),
);

function cursorKey(value: PropertyValue, id: string): (string | number)[] {
  if (value === null || value === undefined) {
    return [0, '', id];
  }
  return [1, typeof value === 'boolean' ? Number(value) : value, id];
}
