import type { PropertySchema, PropertyValue } from '../kernel';
import { evaluateFormula, evaluateScore, normalizeValue, parseFormula } from '../properties';
import { RecordErrors } from './records.errors';

/**
 * Validates a write: every name must be a writable property, every value of its type. On create,
 * required properties must be present. Returns normalised values.
 */
export function validateValues(
  schema: PropertySchema,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
): Record<string, PropertyValue> {
  const values: Record<string, PropertyValue> = {};
  for (const [name, raw] of Object.entries(input)) {
    const definition = schema.byName.get(name);
    if (!definition) {
      throw RecordErrors.unknownProperty(schema, name);
    }
    if (schema.readOnly.has(name)) {
      throw RecordErrors.readOnlyProperty(name);
    }
    if (name === 'owner_id') {
      if (raw !== null && raw !== '' && (typeof raw !== 'string' || !/^[0-9a-f-]{36}$/.test(raw))) {
        throw RecordErrors.ownerIdMalformed();
      }
      values[name] = raw === '' ? null : raw;
      continue;
    }
    values[name] = normalizeValue(definition, raw, name);
  }
  if (mode === 'create') {
    for (const definition of schema.byName.values()) {
      if (definition.required && (values[definition.name] ?? null) === null) {
        throw RecordErrors.requiredProperty(definition.name, false);
      }
    }
  } else {
    for (const [name, value] of Object.entries(values)) {
      if (value === null && schema.byName.get(name)?.required) {
        throw RecordErrors.requiredProperty(name, true);
      }
    }
  }
  return values;
}

/** The values with calculation and score properties recomputed from the others. */
export function withComputed(
  schema: PropertySchema,
  values: Record<string, PropertyValue>,
): Record<string, PropertyValue> {
  const result = { ...values };
  for (const definition of schema.byName.values()) {
    if (definition.type === 'calculation' && definition.formula) {
      const parsed = parseFormula(definition.formula);
      result[definition.name] =
        'formula' in parsed ? evaluateFormula(parsed.formula, result) : null;
    }
  }
  for (const definition of schema.byName.values()) {
    if (definition.type === 'score') {
      result[definition.name] = evaluateScore(definition.scoreRules, result);
    }
  }
  return result;
}

/** Resolves `?properties=` (every property when none are named); an unknown name is a 422 naming `field`. */
export function selectedProperties(
  schema: PropertySchema,
  names: readonly string[] | undefined,
  field: string,
): string[] {
  if (!names || names.length === 0) {
    return [...schema.byName.keys()];
  }
  const unknown = names.find((name) => !schema.byName.has(name));
  if (unknown !== undefined) {
    throw RecordErrors.unknownProperty(schema, field, unknown);
  }
  return [...names];
}
