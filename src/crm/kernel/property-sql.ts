import type { PropertySchema } from './property-schema';
import type { SqlDialect } from './sql-dialect';

/** The SQL expression of a property: its column, or its value in the `custom` JSON. */
export function propertyExpression(
  schema: PropertySchema,
  dialect: SqlDialect,
  name: string,
  alias = 'r',
): string {
  const definition = schema.byName.get(name)!;
  const column = schema.columns.get(name);
  return column !== undefined
    ? `${alias}.${column}`
    : dialect.customValue(alias, name, definition.type);
}
