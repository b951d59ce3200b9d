import { ENVELOPE_LIKE, isEnvelope } from '@custos/crypto';
import type { PersonalDataField, PersonalDataSource } from '../registry/personal-data.types';
import type { BlindIndexProbe } from './sealed-value-probes.port';
import {
  CATEGORY_OF_KIND,
  normalisedPhone,
  splitName,
  type IdentifierKind,
  type ProbedIdentifier,
} from './subject-identifiers';

/** What the lookup needs to know of a table: its key columns and whether rows name an account. */
export interface TableShape {
  primaryColumns: string[];
  hasAccountId: boolean;
}

export type DatabaseKind = 'postgres' | 'sqlite';

/** Which ids a source's subject column holds: a request's subject is a contact. */
export type SubjectIdKind = 'contact' | 'user';

export function subjectIdKind(source: PersonalDataSource): SubjectIdKind {
  return source.subject === 'user' ? 'user' : 'contact';
}

/**
 * The column linking a row of a contact's source to the record it is about (the contact, or the
 * company or deal — its subject column), or `null`: values read directly are shown only on rows
 * whose record the operator may read (`PRIVACY_READABLE_RECORDS`).
 */
export function recordLink(source: PersonalDataSource): string | null {
  return source.subject === 'contact' ? source.subjectColumn : null;
}

/** The alias `valuesSql` selects a row's {@link recordLink} under. */
export const RECORD_LINK = 'record_link';

/** Positional parameters, `$1`, `$2`… (`TransactionHost.queryPrepared` rewrites them for SQLite). */
export class SqlParameters {
  readonly values: unknown[] = [];

  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  list(values: readonly unknown[]): string {
    return `(${values.map((value) => this.bind(value)).join(', ')})`;
  }
}

const quote = (name: string): string => `"${name}"`;

/** A field as the lookup names it: the column, or `column.key` for a key of a JSON column. */
export function fieldName(field: PersonalDataField): string {
  return field.jsonKey ? `${field.column}.${field.jsonKey}` : field.column;
}

function atOrBelow(category: string, parent: string): boolean {
  return category === parent || category.startsWith(`${parent}.`);
}

/** A plain column (one value, no JSON key, not sealed, not a file) that equality can probe. */
function plain(field: PersonalDataField): boolean {
  return !field.jsonKey && !field.sealed && !field.file && !field.list;
}

/** One equality probe of a source's own columns: `AND`-ed columns led by one index. */
export interface ValueProbe {
  /** Column → the spellings it may hold. */
  columns: [string, string[]][];
  matched: string;
  /** The single column is compared through its phone key (`phoneKeySql`), with normal forms. */
  phoneKey?: boolean;
}

/** Punctuation a phone key drops: what people type between digits. */
const PHONE_PUNCTUATION = [' ', '.', '-', '(', ')', '/'];

/**
 * A stored phone number's key, in SQL both databases evaluate alike (and index, `CREATE INDEX …
 * ("account_id", <key>)`): the value without phone punctuation, a leading `00` read as `+`. For
 * the numbers people type it equals `normalisedPhone` of any spelling of the same number
 * (`+44 (20) 7946-0001`, `0044 20 7946 0001` → `+442079460001`). Migrations that index it copy
 * this text: the planner uses the index only for the identical expression.
 */
export function phoneKeySql(column: string): string {
  const stripped = PHONE_PUNCTUATION.reduce(
    (sql, mark) => `replace(${sql}, '${mark}', '')`,
    quote(column),
  );
  return `(CASE WHEN substr(${stripped}, 1, 2) = '00' THEN '+' || substr(${stripped}, 3) ELSE ${stripped} END)`;
}

/**
 * The value probes of a source for an identifier: each plain field at or below the identifier's
 * category, compared with `=` (an index probe each — never an `OR` across columns). A source
 * with a first- and a last-name field is probed on both at once (the last name leads its index).
 */
export function valueProbes(
  source: PersonalDataSource,
  identifier: ProbedIdentifier,
): ValueProbe[] {
  if (identifier.kind === 'id') {
    return [];
  }
  const category = CATEGORY_OF_KIND[identifier.kind];
  const fields = source.fields.filter((f) => plain(f) && atOrBelow(f.category, category));
  if (identifier.kind !== 'name') {
    const probes: ValueProbe[] = fields.map((f) => ({
      columns: [[f.column, identifier.values]],
      matched: f.column,
    }));
    if (identifier.kind === 'phone') {
      // Stored as typed: the phone key finds any punctuation of the same number.
      const normal = [...new Set(identifier.values.map(normalisedPhone))];
      for (const f of fields.filter((field) => field.phoneKey)) {
        probes.push({ columns: [[f.column, normal]], matched: f.column, phoneKey: true });
      }
    }
    return probes;
  }
  const firsts = fields.filter((f) => f.category === 'user.name.first');
  const lasts = fields.filter((f) => f.category === 'user.name.last');
  const probes: ValueProbe[] = fields
    .filter((f) => !firsts.includes(f) && !lasts.includes(f))
    .map((f) => ({ columns: [[f.column, identifier.values]], matched: f.column }));
  const split = splitName(identifier.values[0]);
  if (firsts.length === 1 && lasts.length === 1 && split) {
    const [first, last] = [firsts[0].column, lasts[0].column];
    probes.push({
      columns: [
        [last, [split.last]],
        [first, [split.first]],
      ],
      matched: `${first},${last}`,
    });
  }
  return probes;
}

/**
 * Whether a sealed field is probed through its blind index for an identifier: its category nests
 * with the identifier's (a `user` field such as custom properties may hold anything).
 */
export function probesSealed(field: PersonalDataField, kind: IdentifierKind): boolean {
  if (!field.sealed || kind === 'id') {
    return false;
  }
  const category = CATEGORY_OF_KIND[kind];
  return atOrBelow(field.category, category) || atOrBelow(category, field.category);
}

/** The SQL of one source's rows: its row id, which fields hold a value, its account scope. */
export class SourceSql {
  readonly rowId: string;
  readonly held: string;

  constructor(
    readonly source: PersonalDataSource,
    readonly shape: TableShape,
  ) {
    const keys = shape.primaryColumns.filter((column) => column !== 'account_id');
    if (keys.length === 0) {
      throw new Error(`Personal-data source ${source.key}: the table has no row key`);
    }
    this.rowId = keys.map(quote).join(` || '/' || `);
    this.held =
      source.fields.length === 0
        ? `''`
        : source.fields
            .map((field) =>
              field.jsonKey
                ? // A key of the JSON text: `"key":` occurs only as a key (quotes inside values are escaped).
                  `CASE WHEN ${quote(field.column)} LIKE '%"${field.jsonKey}":%' THEN '1' ELSE '0' END`
                : `CASE WHEN ${quote(field.column)} IS NULL THEN '0' ELSE '1' END`,
            )
            .join(' || ');
    if (!shape.hasAccountId && !source.accountScope) {
      throw new Error(
        `Personal-data source ${source.key}: the table has no account_id; declare its accountScope`,
      );
    }
  }

  /** The rows of the account. */
  scope(parameters: SqlParameters, accountId: string): string {
    const scope = this.source.accountScope;
    if (this.shape.hasAccountId || !scope) {
      return `${quote('account_id')} = ${parameters.bind(accountId)}`;
    }
    return `${quote(this.source.subjectColumn!)} IN (SELECT ${quote(scope.column)} FROM ${quote(scope.table)} WHERE ${quote('account_id')} = ${parameters.bind(accountId)})`;
  }

  /** One arm of the result: source, row id, the matched field (`''` for the subject column), held. */
  arm(
    parameters: SqlParameters,
    accountId: string,
    matched: string,
    condition: (p: SqlParameters) => string,
  ): string {
    const scope = this.scope(parameters, accountId);
    return `SELECT '${this.source.key}' AS source_key, ${this.rowId} AS row_id, '${matched}' AS matched, ${this.held} AS held FROM ${quote(this.source.table)} WHERE ${scope} AND ${condition(parameters)}`;
  }

  /**
   * The registered columns of the account's rows `rowIds` (by the row id the lookup gives), for
   * sources whose owner provides no reader: the access package reads their values directly. Sealed
   * and file columns are not read: only their owner may open them. With them, as `record_link`,
   * the record a row of a contact's source is about ({@link recordLink}).
   */
  valuesSql(parameters: SqlParameters, accountId: string, rowIds: readonly string[]): string {
    const readable = this.source.fields.filter((field) => !field.sealed && !field.file);
    const columns = [...new Set(readable.map((field) => field.column))].map(quote);
    const link = recordLink(this.source);
    if (link) {
      columns.push(`${quote(link)} AS ${RECORD_LINK}`);
    }
    return `SELECT ${this.rowId} AS row_id${columns.map((c) => `, ${c}`).join('')} FROM ${quote(this.source.table)} WHERE ${this.scope(parameters, accountId)} AND ${this.rowId} IN ${parameters.list(rowIds)}`;
  }

  /** One arm of the `subjects` CTE: the subject's ids the matching rows point at. */
  seedArm(
    parameters: SqlParameters,
    accountId: string,
    condition: (p: SqlParameters) => string,
  ): string {
    const scope = this.scope(parameters, accountId);
    return `SELECT '${subjectIdKind(this.source)}' AS subject_kind, ${quote(this.source.subjectColumn!)} AS subject_id FROM ${quote(this.source.table)} WHERE ${scope} AND ${condition(parameters)}`;
  }
}

export function valueCondition(probe: ValueProbe): (p: SqlParameters) => string {
  return (p) =>
    probe.columns
      .map(([column, values]) => {
        const compared = probe.phoneKey ? phoneKeySql(column) : quote(column);
        return values.length === 1
          ? `${compared} = ${p.bind(values[0])}`
          : `${compared} IN ${p.list(values)}`;
      })
      .join(' AND ');
}

/** Rows whose single key is among the records a blind-index probe finds. */
export function blindIndexCondition(
  sql: SourceSql,
  table: string,
  probe: BlindIndexProbe,
): (p: SqlParameters) => string {
  const key = sql.shape.primaryColumns.filter((column) => column !== 'account_id');
  if (key.length !== 1) {
    throw new Error(
      `Personal-data source ${sql.source.key}: sealed values need a single-column key`,
    );
  }
  return (p) =>
    `${quote(key[0])} IN (SELECT ${quote(probe.recordColumn)} FROM ${quote(table)} WHERE ${Object.entries(
      probe.where,
    )
      .map(([column, value]) => `${quote(column)} = ${p.bind(value)}`)
      .join(' AND ')})`;
}

/** Rows whose subject column holds one of the ids the `subjects` CTE found. */
export function subjectCondition(column: string, kind: SubjectIdKind): () => string {
  return () =>
    `${quote(column)} IN (SELECT subject_id FROM subjects WHERE subject_kind = '${kind}')`;
}

/** The page of the union: one row per source row, its matched fields aggregated. */
export function pageSql(
  kind: DatabaseKind,
  arms: string[],
  parameters: SqlParameters,
  after: [string, string] | null,
  limit: number,
): string {
  const matched =
    kind === 'postgres'
      ? `string_agg(DISTINCT h.matched, ',')`
      : `group_concat(DISTINCT h.matched)`;
  const cursor = after
    ? ` WHERE h.source_key > ${parameters.bind(after[0])} OR (h.source_key = ${parameters.bind(after[0])} AND h.row_id > ${parameters.bind(after[1])})`
    : '';
  return `SELECT h.source_key, h.row_id, ${matched} AS matched, MAX(h.held) AS held FROM (${arms.join(' UNION ALL ')}) h${cursor} GROUP BY h.source_key, h.row_id ORDER BY h.source_key, h.row_id LIMIT ${parameters.bind(limit + 1)}`;
}

/** An envelope as a JSON string (`"cx1.…`): the pattern `ENVELOPE_LIKE.inJson` without its wildcards. */
const ENVELOPE_IN_JSON = ENVELOPE_LIKE.inJson.slice(1, -1);

/**
 * Whether a value read directly holds a sealed value — an envelope, or one inside JSON (a column
 * not declared sealed whose document seals some members: sensitive and highly sensitive values
 * are sealed). Such a value is withheld whole: only its owner may open it, under its rules.
 */
export function holdsSealed(value: unknown): boolean {
  if (typeof value === 'string') {
    return isEnvelope(value) || value.includes(ENVELOPE_IN_JSON);
  }
  return (
    value !== null && typeof value === 'object' && JSON.stringify(value).includes(ENVELOPE_IN_JSON)
  );
}
