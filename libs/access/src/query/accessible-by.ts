import { rulesToAST } from '@casl/ability/extra';
import type { AccessAbility } from '../conditions/access-ability';

/** A condition tree as CASL's `rulesToAST` returns it (ucast AST). */
interface AstNode {
  operator: string;
  field?: string;
  value: unknown;
}

/** A SQL boolean expression and its named parameters, for a query builder's `andWhere`. */
export interface SqlCondition {
  sql: string;
  parameters: Record<string, unknown>;
  /**
   * The columns of the queried row the condition reads, when its builder declares them (names
   * without alias): it then has the same value on every row that agrees on them, whatever else
   * the row holds. `undefined`: not declared — it may read anything.
   */
  columns?: readonly string[];
}

export interface AccessibleByOptions {
  /** The SQL expression of a condition field (`ownerId` → `r.owner_id`); `undefined` for unknown fields. */
  columnOf: (field: string) => string | undefined;
  /** PostgreSQL compares strings with `COLLATE "C"` so that order matches JavaScript's (code points). */
  postgres: boolean;
  /** Prefix of parameter names, unique per query. Default `acc`. */
  parameterPrefix?: string;
  /**
   * The fields whose tests lead the indexes of a scoped query (owner, business unit), each with
   * the fields an index takes as conditions right after it (`ownerId: ['country']` for an index
   * on owner, then country). When the condition tests scope fields, a test of another field is
   * written `(…) IS TRUE` unless every scope field tested lists it: the planner then checks it as
   * a filter (from a scope index that carries its column) instead of combining it with the scope
   * as an index condition — PostgreSQL before 17 turns two `IN` lists on one index into one index
   * descent per pair of values, each over the whole scope's range when a column lies between
   * them, and prices it so. Right after the scope column, those descents are exact: there the
   * test stays plain. Same result: no NOT is ever above a test. Default none.
   */
  scopeFields?: Readonly<Record<string, readonly string[]>>;
  /**
   * The one row column a field's SQL reads (`ownerId` → `owner_id`), `undefined` when it reads
   * anything else (a JSON path): with it, the condition declares its `columns` when every field
   * tested has one. Default none: no columns declared.
   */
  storedIn?: (field: string) => string | undefined;
}

/**
 * The records `ability` allows `action` on, as a SQL condition — CASL's rules pushed into the
 * query (the shape of casl-prisma's `accessibleBy`). No rule means `1 = 0`; an unconditional
 * rule `1 = 1`. Negations are pushed down to the field tests, so `cannot` rules and `$not`
 * behave in SQL exactly as CASL evaluates them in memory, missing values included.
 */
export function accessibleBy(
  ability: AccessAbility,
  action: string,
  subjectType: string,
  options: AccessibleByOptions,
): SqlCondition {
  const ast = rulesToAST(ability, action, subjectType) as AstNode | null;
  if (ast === null) {
    return { sql: '1 = 0', parameters: {}, columns: [] };
  }
  const parameters: Record<string, unknown> = {};
  const prefix = options.parameterPrefix ?? 'acc';
  let counter = 0;
  const bind = (value: unknown): string => {
    const name = `${prefix}${counter++}`;
    parameters[name] = typeof value === 'boolean' && !options.postgres ? Number(value) : value;
    return `:${name}`;
  };
  const bindList = (values: unknown[]): string => {
    const name = `${prefix}${counter++}`;
    parameters[name] = values.map((v) =>
      typeof v === 'boolean' && !options.postgres ? Number(v) : v,
    );
    return `(:...${name})`;
  };
  const column = (field: string | undefined): string => {
    const sql = field === undefined ? undefined : options.columnOf(field);
    if (sql === undefined) {
      throw new Error(`A rule tests "${String(field)}", which this subject has no column for.`);
    }
    return sql;
  };
  const scopeFields = new Map(Object.entries(options.scopeFields ?? {}));
  const tested = fieldsTested(ast);
  const scopes = [...scopeFields].filter(([field]) => tested.has(field));
  /** A field test, written as a filter when it sits beside a scope test (see `scopeFields`). */
  const test = (field: string | undefined, sql: string): string =>
    scopes.length > 0 &&
    !scopeFields.has(field!) &&
    !scopes.every(([, indexedAfter]) => indexedAfter.includes(field!))
      ? `(${sql}) IS TRUE`
      : sql;
  const ordered = (sql: string, value: unknown): string =>
    options.postgres && typeof value === 'string' ? `${sql} COLLATE "C"` : sql;
  /**
   * Compiles `node` (or, with `negated`, its negation) by pushing negations down to the field
   * tests (De Morgan), so that no NOT wraps a test that could be NULL: positive tests stay plain
   * and index-friendly (`owner_id IN (…)`), and a negated test spells out its NULL case
   * (`owner_id IS NULL OR owner_id NOT IN (…)`), as CASL evaluates a missing value.
   */
  const compile = (node: AstNode, negated: boolean): string => {
    const children = () => node.value as AstNode[];
    const join = (
      parts: AstNode[],
      operator: 'AND' | 'OR',
      childNegated: boolean,
      empty: string,
    ) =>
      parts.length === 0
        ? empty
        : `(${parts.map((child) => compile(child, childNegated)).join(` ${operator} `)})`;
    switch (node.operator) {
      case 'and':
        return negated
          ? join(children(), 'OR', true, '1 = 0')
          : join(children(), 'AND', false, '1 = 1');
      case 'or':
        return negated
          ? join(children(), 'AND', true, '1 = 1')
          : join(children(), 'OR', false, '1 = 0');
      case 'not':
        return compile({ operator: 'and', value: children() }, !negated);
      case 'nor':
        return compile({ operator: 'or', value: children() }, !negated);
      case 'eq':
      case 'ne': {
        const sql = column(node.field);
        const equal = (node.operator === 'eq') !== negated;
        return test(
          node.field,
          equal
            ? `${sql} = ${bind(node.value)}`
            : `(${sql} IS NULL OR ${sql} <> ${bind(node.value)})`,
        );
      }
      case 'in':
      case 'nin': {
        const sql = column(node.field);
        const inside = (node.operator === 'in') !== negated;
        const values = node.value as unknown[];
        if (values.length === 0) {
          // `IN ()` is no SQL; an empty list (a placeholder of an actor who is in no team) holds nothing.
          return inside ? '1 = 0' : '1 = 1';
        }
        const list = bindList(values);
        return test(
          node.field,
          inside ? `${sql} IN ${list}` : `(${sql} IS NULL OR ${sql} NOT IN ${list})`,
        );
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        const sql = column(node.field);
        const operators = negated
          ? { lt: '>=', lte: '>', gt: '<=', gte: '<' }
          : { lt: '<', lte: '<=', gt: '>', gte: '>=' };
        const comparison = `${ordered(sql, node.value)} ${operators[node.operator]} ${bind(node.value)}`;
        return test(node.field, negated ? `(${sql} IS NULL OR ${comparison})` : comparison);
      }
      case 'exists': {
        const sql = column(node.field);
        return test(
          node.field,
          (node.value === true) !== negated ? `${sql} IS NOT NULL` : `${sql} IS NULL`,
        );
      }
      default:
        throw new Error(`Operator "${node.operator}" cannot be translated to SQL.`);
    }
  };
  return { sql: compile(ast, false), parameters, columns: columnsRead(tested, options.storedIn) };
}

/** The columns `fields` are stored in, when each is stored in one (see `storedIn`). */
function columnsRead(
  fields: ReadonlySet<string>,
  storedIn: AccessibleByOptions['storedIn'],
): string[] | undefined {
  const columns = new Set<string>();
  for (const field of fields) {
    const column = storedIn?.(field);
    if (column === undefined) {
      return undefined;
    }
    columns.add(column);
  }
  return [...columns];
}

/** The fields the condition tests. */
function fieldsTested(node: AstNode, fields = new Set<string>()): Set<string> {
  if (node.field !== undefined) {
    fields.add(node.field);
  } else if (Array.isArray(node.value)) {
    for (const child of node.value as AstNode[]) {
      fieldsTested(child, fields);
    }
  }
  return fields;
}

/**
 * What `ability` allows `action` on, when that is nothing but values of `fields` (record owners,
 * business units): `all` for an unconditional rule; otherwise the values of each field a subject
 * may hold, any one of which allows it — an OR of `eq` and `in` tests of those fields, from the
 * very conditions {@link accessibleBy} writes as SQL. `null` when the rules test anything else
 * (another field, a negation, a `cannot` rule, an empty value) or allow nothing: then only the
 * SQL can tell. Lets a maintained count per field value stand in for a `COUNT(*)` of the rules.
 */
export function accessScope(
  ability: AccessAbility,
  action: string,
  subjectType: string,
  fields: readonly string[],
): { all: true } | { all: false; values: Record<string, string[]> } | null {
  const ast = rulesToAST(ability, action, subjectType) as AstNode | null;
  if (ast === null) {
    return null;
  }
  if (ast.operator === 'and' && (ast.value as AstNode[]).length === 0) {
    return { all: true };
  }
  const values: Record<string, string[]> = {};
  const collect = (node: AstNode): boolean => {
    switch (node.operator) {
      case 'or':
        return (node.value as AstNode[]).every(collect);
      case 'and': {
        const children = node.value as AstNode[];
        return children.length === 1 && collect(children[0]);
      }
      case 'eq':
      case 'in': {
        const list: unknown = node.operator === 'eq' ? [node.value] : node.value;
        if (
          node.field === undefined ||
          !fields.includes(node.field) ||
          !Array.isArray(list) ||
          !list.every((value) => typeof value === 'string' && value !== '')
        ) {
          return false;
        }
        (values[node.field] ??= []).push(...(list as string[]));
        return true;
      }
      default:
        return false;
    }
  };
  return collect(ast) ? { all: false, values } : null;
}
