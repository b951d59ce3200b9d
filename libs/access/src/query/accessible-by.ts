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
}

export interface AccessibleByOptions {
  /** The SQL expression of a condition field (`ownerId` → `r.owner_id`); `undefined` for unknown fields. */
  columnOf: (field: string) => string | undefined;
  /** PostgreSQL compares strings with `COLLATE "C"` so that order matches JavaScript's (code points). */
  postgres: boolean;
  /** Prefix of parameter names, unique per query. Default `acc`. */
  parameterPrefix?: string;
}

/**
 * The records `ability` allows `action` on, as a SQL condition — CASL's rules pushed into the
 * query (the shape of casl-prisma's `accessibleBy`). No rule means `1 = 0`; an unconditional
 * rule `1 = 1`. Every field test is NULL-safe (TRUE or FALSE, never NULL), so negations and
 * `cannot` rules behave in SQL exactly as CASL evaluates them in memory.
 */
export function accessibleBy(
  ability: AccessAbility,
  action: string,
  subjectType: string,
  options: AccessibleByOptions,
): SqlCondition {
  const ast = rulesToAST(ability, action, subjectType) as AstNode | null;
  if (ast === null) {
    return { sql: '1 = 0', parameters: {} };
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
  const ordered = (sql: string, value: unknown): string =>
    options.postgres && typeof value === 'string' ? `${sql} COLLATE "C"` : sql;
  const compile = (node: AstNode): string => {
    const children = () => node.value as AstNode[];
    switch (node.operator) {
      case 'and':
        return children().length === 0 ? '1 = 1' : `(${children().map(compile).join(' AND ')})`;
      case 'or':
        return children().length === 0 ? '1 = 0' : `(${children().map(compile).join(' OR ')})`;
      case 'nor':
        return `NOT (${children().map(compile).join(' OR ')})`;
      case 'not':
        return `NOT (${children().map(compile).join(' AND ')})`;
      case 'eq': {
        const sql = column(node.field);
        return `(${sql} IS NOT NULL AND ${sql} = ${bind(node.value)})`;
      }
      case 'ne': {
        const sql = column(node.field);
        return `(${sql} IS NULL OR ${sql} <> ${bind(node.value)})`;
      }
      case 'in': {
        const sql = column(node.field);
        return `(${sql} IS NOT NULL AND ${sql} IN ${bindList(node.value as unknown[])})`;
      }
      case 'nin': {
        const sql = column(node.field);
        return `(${sql} IS NULL OR ${sql} NOT IN ${bindList(node.value as unknown[])})`;
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        const sql = column(node.field);
        const operator = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[node.operator];
        return `(${sql} IS NOT NULL AND ${ordered(sql, node.value)} ${operator} ${bind(node.value)})`;
      }
      case 'exists': {
        const sql = column(node.field);
        return node.value ? `${sql} IS NOT NULL` : `${sql} IS NULL`;
      }
      default:
        throw new Error(`Operator "${node.operator}" cannot be translated to SQL.`);
    }
  };
  return { sql: compile(ast), parameters };
}
