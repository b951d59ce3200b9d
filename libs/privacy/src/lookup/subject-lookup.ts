import { createHash } from 'node:crypto';
import { AuditService } from '@custos/audit';
import {
  RequestContext,
  TransactionHost,
  decodeCursor,
  encodeCursor,
  type Page,
} from '@custos/core';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { PrivacyErrors } from '../privacy.errors';
import {
  PERSONAL_DATA_REGISTRY,
  type PersonalDataRegistry,
} from '../registry/personal-data-registry';
import type { PersonalDataSource } from '../registry/personal-data.types';
import type { DataCategory } from '../taxonomy/categories';
import {
  SourceSql,
  SqlParameters,
  blindIndexCondition,
  fieldName,
  holdsSealed,
  pageSql,
  probesSealed,
  RECORD_LINK,
  recordLink,
  subjectCondition,
  subjectIdKind,
  valueCondition,
  valueProbes,
  type DatabaseKind,
} from './lookup-sql';
import {
  PRIVACY_READABLE_RECORDS,
  PRIVACY_SEALED_VALUE_PROBES,
  PRIVACY_VALUE_READERS,
  type ReadableRecords,
  type SealedValueProbes,
  type SubjectValueReader,
} from './sealed-value-probes.port';
import {
  probedIdentifiers,
  type ProbedIdentifier,
  type SubjectIdentifiers,
} from './subject-identifiers';

export const DEFAULT_LOOKUP_PAGE = 50;
/** Rows per direct read of values: below SQLite's and PostgreSQL's bound-parameter limits. */
const DIRECT_READ_CHUNK = 500;

/** A registered field of a found row. */
export interface LookupField {
  /** The column, or `column.key` for a key of a JSON column (`custom.ssn`). */
  field: string;
  category: DataCategory;
  /** The identifier was found in this field (by value, or by its blind-index token). */
  matched: boolean;
  /** The row holds a value in this field. */
  held: boolean;
  sealed: boolean;
  file: boolean;
  /** The value as the operator may see it (sources whose owner reads them for the operator). */
  value?: unknown;
  /** The operator may not see this value (field permissions, sensitive values). */
  withheld?: boolean;
}

/** One row holding the subject's data. */
export interface LookupItem {
  source: string;
  table: string;
  rowId: string;
  /** Found by its subject column (the subject's contact or user id) rather than by a value. */
  bySubject: boolean;
  fields: LookupField[];
  /** What the source's owner tells about the row (for an export that carried the subject: who, when, what). */
  details?: Record<string, unknown>;
}

/** The statement of a lookup page, for the benchmark's EXPLAIN and the tests. */
export interface LookupStatement {
  /** The prepared statement's name: one per shape of the text. */
  name: string;
  sql: string;
  parameters: unknown[];
}

/**
 * Finds every registered place holding a subject's data, generated from the personal-data
 * registry as a `UNION ALL` of single-column index probes — never an `OR` across columns, which
 * makes PostgreSQL scan whole tables. One statement: its `subjects` CTE finds the subject's
 * contact and user ids by value (email, phone, name; sealed values by their blind-index tokens),
 * and the page unions those value probes with probes of every subject column by those ids, one
 * row per source row, keyset-paged by (source, row id).
 */
@Injectable()
export class SubjectLookup {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    @Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry,
    @Optional()
    @Inject(PRIVACY_SEALED_VALUE_PROBES)
    private readonly sealed: SealedValueProbes | null,
    @Optional()
    @Inject(PRIVACY_VALUE_READERS)
    private readonly readers: SubjectValueReader[] | null,
    @Optional()
    @Inject(PRIVACY_READABLE_RECORDS)
    private readonly records: ReadableRecords | null,
  ) {}

  /** A page of the places holding the data of the subject these identifiers name; audited. */
  async lookup(
    identifiers: SubjectIdentifiers,
    page: { limit?: number; after?: string },
    requestId: string | null = null,
  ): Promise<Page<LookupItem>> {
    const probed = probedIdentifiers(identifiers);
    const limit = page.limit ?? DEFAULT_LOOKUP_PAGE;
    const after =
      page.after === undefined ? null : (decodeCursor(page.after, 2) as [string, string]);
    const { items, more } = await this.find(probed, after, limit);
    // Independent: the values' reads and the audit event go at once on the pool. The event is
    // recorded as it is (on PostgreSQL one compare-and-set, without opening a transaction).
    await this.transactions.all(
      () => this.addValues(items),
      () =>
        this.audit.record({
          action: 'privacy.subject_looked_up',
          targetType: requestId ? 'privacy_request' : 'privacy_lookup',
          targetId: requestId ?? undefined,
          // The kinds of identifier, never the identifiers themselves.
          metadata: {
            identifierKinds: probed.map((identifier) => identifier.kind),
            items: items.length,
            continued: after !== null,
          },
        }),
    );
    const last = items.at(-1);
    return {
      results: items,
      paging: more && last ? { next: { after: encodeCursor([last.source, last.rowId]) } } : {},
    };
  }

  /**
   * A page of the places holding the subject's data without their values and unaudited: for the
   * access package, which reads values itself and audits the package as a whole.
   */
  async collect(
    identifiers: SubjectIdentifiers,
    after: [string, string] | null,
    limit: number,
  ): Promise<{ items: LookupItem[]; more: boolean }> {
    return this.find(probedIdentifiers(identifiers), after, limit);
  }

  /**
   * Adds the values of `items` as the operator may see them: through the owners' readers
   * (`PRIVACY_VALUE_READERS`); with `direct`, the plain values of sources without a reader are
   * read from their tables (sealed columns are not read, and a value holding an envelope is
   * withheld: only its owner can open it), and a row of a contact's source linked to a record the
   * operator may not read (`PRIVACY_READABLE_RECORDS`, one batch for all of them) is withheld
   * whole, as that record's own values are.
   */
  async readValues(items: LookupItem[], direct = false): Promise<void> {
    await this.addValues(items, direct);
    if (!direct) {
      return;
    }
    const read = new Set((this.readers ?? []).map((reader) => reader.source));
    const bySource = new Map<string, LookupItem[]>();
    for (const found of items.filter((i) => !read.has(i.source))) {
      const own = bySource.get(found.source) ?? [];
      own.push(found);
      bySource.set(found.source, own);
    }
    if (bySource.size === 0) {
      return;
    }
    const accountId = this.context.requireAccountId();
    const sources = new Map(
      (await this.registry.sourcesOf(accountId)).map((source) => [source.key, source]),
    );
    const rowsBySource = new Map<string, Map<string, Record<string, unknown>>>();
    for (const [key, own] of bySource) {
      const source = sources.get(key)!;
      const sql = new SourceSql(source, this.shapeOf(source));
      const rows = new Map<string, Record<string, unknown>>();
      for (let start = 0; start < own.length; start += DIRECT_READ_CHUNK) {
        const parameters = new SqlParameters();
        const text = sql.valuesSql(
          parameters,
          accountId,
          own.slice(start, start + DIRECT_READ_CHUNK).map((i) => i.rowId),
        );
        for (const row of await this.transactions.queryPrepared<Record<string, unknown>>(
          `privacy_values_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`,
          text,
          parameters.values,
        )) {
          rows.set(String(row.row_id), row);
        }
      }
      rowsBySource.set(key, rows);
    }
    const readable = await this.readableRecords(
      [...rowsBySource.entries()].flatMap(([key, rows]) =>
        [...rows.values()].map((row) => linkedRecord(sources.get(key)!, row)),
      ),
    );
    for (const [key, own] of bySource) {
      const source = sources.get(key)!;
      const rows = rowsBySource.get(key)!;
      for (const found of own) {
        const row = rows.get(found.rowId);
        // A row about a record the operator may not read: none of its values (a row linked to
        // no record belongs to none, and is read as it is).
        const link = row ? linkedRecord(source, row) : null;
        const hidden = link !== null && !readable.has(link);
        source.fields.forEach((field) => {
          const view = found.fields.find((f) => f.field === fieldName(field));
          if (!view?.held || !row) {
            return;
          }
          if (field.file) {
            return;
          }
          const value =
            hidden || field.sealed ? null : directValue(row[field.column], field.jsonKey);
          if (hidden || field.sealed || holdsSealed(value)) {
            view.withheld = true;
          } else {
            view.value = value;
          }
        });
      }
    }
  }

  /** The records among `links` the operator may read; none without the host's port. */
  private async readableRecords(links: (string | null)[]): Promise<ReadonlySet<string>> {
    const ids = [...new Set(links.filter((id) => id !== null))];
    if (ids.length === 0 || !this.records) {
      return new Set();
    }
    return this.records.readable(ids);
  }

  /** The statement a page runs. */
  async statement(
    identifiers: SubjectIdentifiers,
    after: [string, string] | null = null,
    limit = DEFAULT_LOOKUP_PAGE,
  ): Promise<LookupStatement> {
    return (await this.prepare(probedIdentifiers(identifiers), after, limit)).statement;
  }

  private async find(
    probed: ProbedIdentifier[],
    after: [string, string] | null,
    limit: number,
  ): Promise<{ items: LookupItem[]; more: boolean }> {
    const { sources, statement } = await this.prepare(probed, after, limit);
    // Prepared per shape of the statement (which probes, which spellings): PostgreSQL plans the
    // union of some forty arms once per connection instead of on every lookup.
    const rows = await this.transactions.queryPrepared<{
      source_key: string;
      row_id: string;
      matched: string | null;
      held: string | null;
    }>(statement.name, statement.sql, statement.parameters);
    return {
      items: rows.slice(0, limit).map((row) => item(sources.get(row.source_key)!, row)),
      more: rows.length > limit,
    };
  }

  private async prepare(
    identifiers: ProbedIdentifier[],
    after: [string, string] | null,
    limit: number,
  ): Promise<{ sources: Map<string, PersonalDataSource>; statement: LookupStatement }> {
    const accountId = this.context.requireAccountId();
    const kind = this.databaseKind();
    const sources = await this.registry.sourcesOf(accountId);
    const sqls = sources.map((source) => new SourceSql(source, this.shapeOf(source)));
    const valueArms = await this.valueArms(accountId, sqls, identifiers);
    const parameters = new SqlParameters();
    // The subject's ids: named outright (`id`), or on the rows the value probes find.
    const subjects = [
      ...identifiers
        .filter((identifier) => identifier.kind === 'id')
        .flatMap((identifier) => identifier.values)
        .flatMap((id) =>
          (['contact', 'user'] as const).map(
            (idKind) =>
              `SELECT '${idKind}' AS subject_kind, CAST(${parameters.bind(id)} AS varchar(64)) AS subject_id`,
          ),
        ),
      ...valueArms
        .filter((arm) => arm.sql.source.subjectColumn !== null && arm.seeds)
        .map((arm) => arm.sql.seedArm(parameters, accountId, arm.condition)),
    ];
    const arms = valueArms.map((arm) =>
      arm.sql.arm(parameters, accountId, arm.matched, arm.condition),
    );
    if (subjects.length > 0) {
      for (const sql of sqls.filter((s) => s.source.subjectColumn !== null)) {
        arms.push(
          sql.arm(
            parameters,
            accountId,
            '',
            subjectCondition(sql.source.subjectColumn!, subjectIdKind(sql.source)),
          ),
        );
      }
    }
    if (arms.length === 0) {
      throw PrivacyErrors.invalidField(identifiers[0].kind, 'probes no registered place');
    }
    const page = pageSql(kind, arms, parameters, after, limit);
    const sql =
      subjects.length > 0 ? `WITH subjects AS (${subjects.join(' UNION ALL ')}) ${page}` : page;
    return {
      sources: new Map(sources.map((source) => [source.key, source])),
      statement: {
        name: `privacy_lookup_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`,
        sql,
        parameters: parameters.values,
      },
    };
  }

  /** Value probes of every source (own columns, and sealed values through their blind index). */
  private async valueArms(
    accountId: string,
    sqls: SourceSql[],
    identifiers: ProbedIdentifier[],
  ): Promise<ValueArm[]> {
    const arms: ValueArm[] = [];
    // A property reached through two fields (the `custom` column and its key) is probed once.
    const blindProbes = new Set<string>();
    for (const sql of sqls) {
      for (const identifier of identifiers) {
        for (const probe of valueProbes(sql.source, identifier)) {
          arms.push({ sql, matched: probe.matched, condition: valueCondition(probe), seeds: true });
        }
        for (const field of sql.source.fields.filter((f) => probesSealed(f, identifier.kind))) {
          if (!this.sealed) {
            throw new Error(
              `Personal-data source ${sql.source.key}: sealed values need a PRIVACY_SEALED_VALUE_PROBES provider`,
            );
          }
          const probes = await this.sealed.probes(accountId, sql.source, field, identifier);
          for (const probe of probes) {
            const key = `${sql.source.key}/${probe.field}/${JSON.stringify(probe.where)}`;
            if (blindProbes.has(key)) {
              continue;
            }
            blindProbes.add(key);
            arms.push({
              sql,
              matched: probe.field,
              condition: blindIndexCondition(sql, field.sealed!.blindIndex, probe),
              // Only rows that are the subject's own record name the subject (not a company's).
              seeds:
                sql.source.subjectColumn ===
                sql.shape.primaryColumns.find((c) => c !== 'account_id'),
            });
          }
        }
      }
    }
    return arms;
  }

  /** With `documents`, a JSON column as a whole gets the object of its keys the operator may see. */
  private async addValues(items: LookupItem[], documents = false): Promise<void> {
    // Each reader fills only its own source's items: independent, so they go at once on the pool.
    await this.transactions.all(
      ...(this.readers ?? []).map((reader) => () => this.addReaderValues(reader, items, documents)),
    );
  }

  private async addReaderValues(
    reader: SubjectValueReader,
    items: LookupItem[],
    documents: boolean,
  ): Promise<void> {
    const own = items.filter((i) => i.source === reader.source);
    if (own.length === 0) {
      return;
    }
    const rows = await reader.read(own.map((i) => i.rowId));
    for (const found of own) {
      const row = rows.get(found.rowId);
      if (row?.details) {
        found.details = row.details;
      }
      for (const field of found.fields.filter((f) => f.held)) {
        const prefix = `${field.field}.`;
        const keys = Object.keys(row?.values ?? {}).filter((name) => name.startsWith(prefix));
        if (!row || row.withheld.includes(field.field)) {
          field.withheld = true;
        } else if (field.field in row.values) {
          field.value = row.values[field.field];
        } else if (!field.field.includes('.') && (documents || keys.length > 0)) {
          // A JSON column as a whole: its keys the operator may see, for the package.
          if (documents) {
            field.value = Object.fromEntries(
              keys.map((name) => [name.slice(prefix.length), row.values[name]]),
            );
          }
        } else {
          // The owner's read left the value out (a property hidden from the operator).
          field.withheld = true;
        }
      }
    }
  }

  private databaseKind(): DatabaseKind {
    return this.transactions.manager.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  private shapeOf(source: PersonalDataSource): { primaryColumns: string[]; hasAccountId: boolean } {
    const meta = this.transactions.manager.connection.entityMetadatas.find(
      (m) => m.tableName === source.table,
    );
    if (!meta) {
      throw new Error(
        `Personal-data source ${source.key}: no entity maps the table ${source.table}`,
      );
    }
    return {
      primaryColumns: meta.primaryColumns.map((c) => c.databaseName),
      hasAccountId: meta.columns.some((c) => c.databaseName === 'account_id'),
    };
  }
}

interface ValueArm {
  sql: SourceSql;
  matched: string;
  condition: (p: SqlParameters) => string;
  /** The rows it finds name the subject by their subject column. */
  seeds: boolean;
}

function item(
  source: PersonalDataSource,
  row: { row_id: string; matched: string | null; held: string | null },
): LookupItem {
  const matched = new Set((row.matched ?? '').split(',').filter((name) => name !== ''));
  const held = row.held ?? '';
  return {
    source: source.key,
    table: source.table,
    rowId: String(row.row_id),
    bySubject: (row.matched ?? '').split(',').includes('') || matched.size === 0,
    fields: source.fields.map((field, i) => {
      const name = fieldName(field);
      return {
        field: name,
        category: field.category,
        matched:
          matched.has(name) ||
          (field.column === 'custom' &&
            !field.jsonKey &&
            [...matched].some((m) => m.startsWith('custom.'))),
        held: held[i] === '1',
        sealed: field.sealed !== undefined,
        file: field.file === true,
      };
    }),
  };
}

/** The record a row read directly is about (`recordLink`), or `null`. */
function linkedRecord(source: PersonalDataSource, row: Record<string, unknown>): string | null {
  const link = row[RECORD_LINK] as string | number | null | undefined;
  return recordLink(source) === null || link === null || link === undefined ? null : String(link);
}

/** A column's value as read (a JSON column's key parsed out of its text). */
function directValue(stored: unknown, jsonKey: string | undefined): unknown {
  if (!jsonKey) {
    return stored instanceof Date ? stored.toISOString() : stored;
  }
  if (typeof stored !== 'string') {
    return (stored as Record<string, unknown> | null)?.[jsonKey] ?? null;
  }
  return (JSON.parse(stored) as Record<string, unknown>)[jsonKey] ?? null;
}
