import type { SqlCondition } from '@custos/access';
import { escapeLike } from '@custos/core';
import {
  propertyExpression,
  type PropertyDefinition,
  type PropertySchema,
  type PropertyValue,
  type SqlDialect,
} from '../kernel';
import { normalizeValue } from '../properties';
import type { SensitiveFields } from '../sensitive';
import { RecordErrors, type ValueCountedCondition } from '../records';
import type { FilterDto, FilterOperator } from './search.dto';
import { SearchErrors } from './search.errors';

const ORDERED_TYPES = new Set(['number', 'date', 'datetime', 'string', 'score', 'calculation']);

/**
 * A filter as a saved definition (a segment) keeps it: on a sensitive property, `eq` and `in`
 * hold the blind-index tokens of their values in `tokens` instead of the values, which are never
 * stored.
 */
export type StoredFilter = FilterDto & { tokens?: string[] };

/** OR-ed groups of AND-ed filters, as a request or a saved definition holds them. */
export interface StoredFilterGroup {
  filters: StoredFilter[];
}

/** The definition of a property named in a filter or sort; unknown names are a 422 naming `field`. */
export function definitionFor(
  schema: PropertySchema,
  name: string,
  field: string,
): PropertyDefinition {
  const definition = schema.byName.get(name);
  if (!definition) {
    throw RecordErrors.unknownProperty(schema, field, name);
  }
  return definition;
}

/**
 * Compiles filter groups (OR of AND-ed filters) into one SQL condition. Values are validated and
 * normalised like writes, so `eq` on a date compares dates; every value is a bound parameter.
 * Parameter names carry `prefix` so several conditions can share one query.
 */
export function compileFilterGroups(
  schema: PropertySchema,
  dialect: SqlDialect,
  groups: readonly StoredFilterGroup[],
  prefix = 'f',
  fieldPrefix = 'filterGroups',
  sensitive: SensitiveFields | null = null,
): SqlCondition | null {
  if (groups.length === 0) {
    return null;
  }
  const parameters: Record<string, unknown> = {};
  let counter = 0;
  const bind = (value: unknown): string => {
    const name = `${prefix}${counter++}`;
    parameters[name] = typeof value === 'boolean' ? dialect.bool(value) : value;
    return `:${name}`;
  };
  const bindList = (values: unknown[]): string => {
    const name = `${prefix}${counter++}`;
    parameters[name] = values.map((v) => (typeof v === 'boolean' ? dialect.bool(v) : v));
    return `(:...${name})`;
  };
  const compiled = groups.map((group, g) =>
    group.filters.map((filter, f) =>
      compileFilter(
        schema,
        dialect,
        filter,
        `${fieldPrefix}[${g}].filters[${f}]`,
        bind,
        bindList,
        sensitive,
      ),
    ),
  );
  const condition: ValueCountedCondition = {
    sql: `(${compiled.map((filters) => `(${filters.join(' AND ')})`).join(' OR ')})`,
    parameters,
    columns: columnsFiltered(schema, groups),
  };
  const counted = valueCounted(schema, dialect, groups, compiled, prefix);
  if (counted) {
    condition.valueCounts = {
      sql: counted.sql,
      parameters: { ...parameters, ...counted.parameters },
      columns: counted.columns,
    };
  }
  return condition;
}

/**
 * One group whose filters are one `eq` on an indexed custom property (its index `ready`, so its
 * value counts are filled) and otherwise filters on standard columns: the same filters over the
 * custom value counts, where `value` holds what the expression reads (SQLite: `json_extract`'s
 * typed value; PostgreSQL: `->>`'s text through `crm_custom_count_value(text, type)`, which reads
 * a number or bool as the expression's cast does, so the bound value goes through it too).
 * `undefined` for anything else.
 */
function valueCounted(
  schema: PropertySchema,
  dialect: SqlDialect,
  groups: readonly StoredFilterGroup[],
  compiled: readonly string[][],
  prefix: string,
): { sql: string; parameters: Record<string, unknown>; columns: string[] } | undefined {
  if (groups.length !== 1) {
    return undefined;
  }
  const filters = groups[0].filters;
  const custom = filters.filter(({ propertyName }) => !schema.columns.has(propertyName));
  const definition = custom.length === 1 ? schema.byName.get(custom[0].propertyName) : undefined;
  const columns = columnsFiltered(schema, [
    { filters: filters.filter((filter) => filter !== custom[0]) },
  ]);
  if (
    !definition ||
    custom[0].operator !== 'eq' ||
    !definition.indexed ||
    definition.indexState !== 'ready' ||
    definition.sensitivity ||
    !columns
  ) {
    return undefined;
  }
  const equals = `${propertyExpression(schema, dialect, definition.name)} = `;
  const at = filters.indexOf(custom[0]);
  if (!compiled[0][at].startsWith(equals)) {
    return undefined;
  }
  const bound = compiled[0][at].slice(equals.length);
  const [property, type] = [`${prefix}_property`, `${prefix}_type`];
  const sql = compiled[0].map((filter, f) =>
    f !== at
      ? filter
      : dialect.postgres
        ? `r.value = crm_custom_count_value(CAST(${bound} AS text), :${type})`
        : `r.value = ${bound}`,
  );
  return {
    sql: `r.property_name = :${property} AND (${sql.join(' AND ')})`,
    parameters: {
      [property]: definition.name,
      ...(dialect.postgres ? { [type]: definition.type } : {}),
    },
    columns,
  };
}

/**
 * The record columns the filters read: each filter reads its property's column alone, except on
 * a custom property (a JSON path) or a sensitive one (the blind index): then none are declared.
 */
function columnsFiltered(
  schema: PropertySchema,
  groups: readonly StoredFilterGroup[],
): string[] | undefined {
  const columns = new Set<string>();
  for (const { propertyName } of groups.flatMap((group) => group.filters)) {
    const column = schema.columns.get(propertyName);
    if (column === undefined || schema.byName.get(propertyName)?.sensitivity) {
      return undefined;
    }
    columns.add(column);
  }
  return [...columns];
}

function compileFilter(
  schema: PropertySchema,
  dialect: SqlDialect,
  filter: StoredFilter,
  field: string,
  bind: (value: unknown) => string,
  bindList: (values: unknown[]) => string,
  sensitive: SensitiveFields | null,
): string {
  const definition = definitionFor(schema, filter.propertyName, `${field}.propertyName`);
  if (definition.sensitivity) {
    return compileSensitiveFilter(schema, definition, filter, field, bind, bindList, sensitive);
  }
  const expression = propertyExpression(schema, dialect, filter.propertyName);
  const operator: FilterOperator = filter.operator;
  const value = (raw: unknown, at: string): PropertyValue => {
    if (raw === undefined || raw === null || raw === '') {
      throw SearchErrors.filterValueRequired(at, operator);
    }
    return filterValue(definition, raw, at);
  };
  const ordered = () => {
    if (!ORDERED_TYPES.has(definition.type)) {
      throw SearchErrors.invalidOperator(
        field,
        `${operator} does not apply to ${definition.type} properties`,
      );
    }
  };
  switch (operator) {
    case 'eq':
      return `${expression} = ${bind(value(filter.value, `${field}.value`))}`;
    case 'neq':
      return `(${expression} <> ${bind(value(filter.value, `${field}.value`))} OR ${expression} IS NULL)`;
    case 'lt':
      ordered();
      return `${expression} < ${bind(value(filter.value, `${field}.value`))}`;
    case 'lte':
      ordered();
      return `${expression} <= ${bind(value(filter.value, `${field}.value`))}`;
    case 'gt':
      ordered();
      return `${expression} > ${bind(value(filter.value, `${field}.value`))}`;
    case 'gte':
      ordered();
      return `${expression} >= ${bind(value(filter.value, `${field}.value`))}`;
    case 'between':
      ordered();
      return `(${expression} >= ${bind(value(filter.value, `${field}.value`))} AND ${expression} <= ${bind(value(filter.highValue, `${field}.highValue`))})`;
    case 'in':
    case 'not_in': {
      if (!filter.values || filter.values.length === 0) {
        throw SearchErrors.filterValueRequired(`${field}.values`, operator);
      }
      const list = bindList(filter.values.map((v, i) => value(v, `${field}.values[${i}]`)));
      return operator === 'in'
        ? `${expression} IN ${list}`
        : `(${expression} NOT IN ${list} OR ${expression} IS NULL)`;
    }
    case 'has_property':
      return `${expression} IS NOT NULL`;
    case 'not_has_property':
      return `${expression} IS NULL`;
    case 'contains_token': {
      if (definition.type !== 'string') {
        throw SearchErrors.invalidOperator(
          field,
          'contains_token applies to string properties only',
        );
      }
      const token = value(filter.value, `${field}.value`);
      return `LOWER(${expression}) LIKE ${bind(`%${escapeLike(String(token).toLowerCase())}%`)} ESCAPE '\\'`;
    }
  }
}

/** Operators that work on encrypted values: equality through the blind index, and presence. */
export const SENSITIVE_OPERATORS: ReadonlySet<FilterOperator> = new Set([
  'eq',
  'in',
  'has_property',
  'not_has_property',
]);

/**
 * A filter on a sensitive property: `eq`/`in` match blind-index tokens (candidates, checked
 * again after decryption; a saved filter brings its tokens), presence looks at the stored
 * envelope. Without `sensitive` (checking a segment's filters) the tokens are placeholders.
 */
function compileSensitiveFilter(
  schema: PropertySchema,
  definition: PropertyDefinition,
  filter: StoredFilter,
  field: string,
  bind: (value: unknown) => string,
  bindList: (values: unknown[]) => string,
  sensitive: SensitiveFields | null,
): string {
  const operator = filter.operator;
  if (!SENSITIVE_OPERATORS.has(operator)) {
    throw SearchErrors.sensitiveOperator(field, definition.name);
  }
  // The account bound rather than correlated (`= r.account_id`): PostgreSQL runs a correlated IN
  // subquery once per row of the account instead of joining on the few matching tokens.
  const account = sensitive ? bind(sensitive.accountId) : 'r.account_id';
  const present = `r.id IN (SELECT b.record_id FROM crm_blind_index b WHERE b.account_id = ${account} AND b.object_type = ${bind(schema.objectType.name)} AND b.property_name = ${bind(definition.name)}`;
  if (operator === 'has_property') {
    return `${present})`;
  }
  if (operator === 'not_has_property') {
    return `NOT ${present})`;
  }
  const token = (raw: unknown, at: string): string => {
    if (raw === undefined || raw === null || raw === '') {
      throw SearchErrors.filterValueRequired(at, operator);
    }
    const value = filterValue(definition, raw, at);
    return sensitive ? sensitive.token(definition.name, value) : '';
  };
  if (filter.tokens) {
    return `${present} AND b.token IN ${bindList(filter.tokens)})`;
  }
  if (operator === 'eq') {
    return `${present} AND b.token = ${bind(token(filter.value, `${field}.value`))})`;
  }
  if (!filter.values || filter.values.length === 0) {
    throw SearchErrors.filterValueRequired(`${field}.values`, operator);
  }
  const tokens = filter.values.map((v, i) => token(v, `${field}.values[${i}]`));
  return `${present} AND b.token IN ${bindList(tokens)})`;
}

/**
 * Filter groups as a saved definition stores them: each `eq`/`in` filter on a sensitive property
 * keeps the blind-index tokens of its values (normalised as search does), never the values;
 * filters that hold tokens already stay as they are. New groups must have compiled
 * ({@link compileFilterGroups}), which checks that the values are there.
 */
export function tokenizeSensitiveFilters(
  groups: readonly StoredFilterGroup[],
  sensitive: SensitiveFields | null,
  fieldPrefix = 'filterGroups',
): StoredFilterGroup[] {
  return groups.map((group, g) => ({
    filters: group.filters.map((filter, f) =>
      sensitive && quotesSensitiveValue(filter, sensitive) && !filter.tokens
        ? tokenized(filter, sensitive, `${fieldPrefix}[${g}].filters[${f}]`)
        : filter,
    ),
  }));
}

function tokenized(filter: StoredFilter, sensitive: SensitiveFields, at: string): StoredFilter {
  const definition = sensitive.definition(filter.propertyName);
  const token = (value: unknown, path: string) =>
    sensitive.token(definition.name, filterValue(definition, value, path));
  const tokens =
    filter.operator === 'eq'
      ? [token(filter.value, `${at}.value`)]
      : (filter.values ?? []).map((value, i) => token(value, `${at}.values[${i}]`));
  return { propertyName: filter.propertyName, operator: filter.operator, tokens };
}

/** Whether a filter compares a sensitive property with values (`eq`, `in`), as values or tokens. */
export function quotesSensitiveValue(
  filter: StoredFilter,
  sensitive: SensitiveFields | null,
): boolean {
  return (sensitive?.has(filter.propertyName) ?? false) && ['eq', 'in'].includes(filter.operator);
}

/** A filter value normalised to the stored form of its property's type. */
export function filterValue(
  definition: PropertyDefinition,
  raw: unknown,
  field: string,
): PropertyValue {
  switch (definition.type) {
    case 'score':
    case 'calculation':
      return normalizeValue({ ...definition, type: 'number' }, raw, field);
    case 'enumeration':
      // Filtering by an option that does not exist is allowed: it simply matches nothing.
      return normalizeValue({ ...definition, type: 'string', standard: false }, raw, field);
    default:
      if (definition.name === 'owner_id') {
        return normalizeValue({ ...definition, type: 'string', standard: false }, raw, field);
      }
      return normalizeValue(definition, raw, field);
  }
}
