import type { EntityManager } from 'typeorm';
import type { PropertyType } from './property-type';

/** Placeholder number `index` (1-based) in the database's syntax, for raw SQL. */
export function placeholder(manager: EntityManager, index: number): string {
  return manager.connection.options.type === 'postgres' ? `$${index}` : '?';
}

/**
 * The few SQL expressions that differ between SQLite and PostgreSQL: reading and removing a key
 * of the `custom` JSON column. Property names are validated snake_case before they get here.
 */
export interface SqlDialect {
  readonly postgres: boolean;
  /**
   * The value of custom property `name` as a comparable SQL value of its type; `alias` `''` for
   * the unqualified column (an index definition, which must build the very same expression).
   */
  customValue(alias: string, name: string, type: PropertyType): string;
  /** `custom` without key `name`. */
  customWithout(name: string): string;
  /** A boolean parameter as the driver binds it. */
  bool(value: boolean): boolean | number;
  /**
   * `expression` is one of the values of parameter `:name`, bound with {@link SqlDialect.list}:
   * one parameter however long the list (thousands of placeholders cost more to parse than the
   * look-ups).
   */
  anyOf(expression: string, name: string): string;
  /** A list as {@link SqlDialect.anyOf} takes it. */
  list(values: readonly string[]): readonly string[] | string;
}

const SAFE_NAME = /^[a-z][a-z0-9_]{0,99}$/;

function checked(name: string): string {
  if (!SAFE_NAME.test(name)) {
    throw new Error(`Unsafe property name reached SQL: ${JSON.stringify(name)}`);
  }
  return name;
}

function custom(alias: string): string {
  return alias === '' ? 'custom' : `${alias}.custom`;
}

const sqlite: SqlDialect = {
  postgres: false,
  customValue: (alias, name) => `json_extract(${custom(alias)}, '$.${checked(name)}')`,
  customWithout: (name) => `json_remove(custom, '$.${checked(name)}')`,
  bool: (value) => (value ? 1 : 0),
  anyOf: (expression, name) => `${expression} IN (SELECT value FROM json_each(:${name}))`,
  list: (values) => JSON.stringify(values),
};

const postgres: SqlDialect = {
  postgres: true,
  customValue: (alias, name, type) => {
    const text = `(${custom(alias)}::jsonb ->> '${checked(name)}')`;
    switch (type) {
      case 'number':
      case 'score':
      case 'calculation':
        return `(${text})::double precision`;
      case 'bool':
        return `(${text})::boolean`;
      case 'string':
      case 'date':
      case 'datetime':
      case 'enumeration':
      case 'file':
        return text;
    }
  },
  customWithout: (name) => `(custom::jsonb - '${checked(name)}')::text`,
  bool: (value) => value,
  anyOf: (expression, name) => `${expression} = ANY(:${name})`,
  list: (values) => values,
};

export function dialectOf(databaseType: string): SqlDialect {
  return databaseType === 'postgres' ? postgres : sqlite;
}
