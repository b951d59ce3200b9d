import { CustosError } from '@custos/core';

/** Field operators a condition may use (MongoDB style, the subset CASL and SQL agree on). */
export const FIELD_OPERATORS = [
  '$eq',
  '$ne',
  '$in',
  '$nin',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$exists',
] as const;
/** Operators that combine conditions. */
export const COMPOUND_OPERATORS = ['$and', '$or', '$not'] as const;

export type FieldOperator = (typeof FIELD_OPERATORS)[number];
export type Scalar = string | number | boolean;

/** A record condition as saved in a rule, e.g. `{ "ownerId": "$user.id", "amount": { "$gte": 1000 } }`. */
export type Condition = { [key: string]: unknown };

/** The value type of a field a condition may test. */
export type FieldType = 'string' | 'number' | 'boolean';

/** Facts about the actor that placeholders stand for. */
export interface ActorFacts {
  /** `$user.id` */
  id: string;
  /** `$user.teamIds`: the teams the actor belongs to. */
  teamIds: readonly string[];
  /** `$user.teamMemberIds`: every user sharing a team with the actor (themself included). */
  teamMemberIds: readonly string[];
  /** `$user.businessUnitIds`: the actor's own business unit. */
  businessUnitIds: readonly string[];
  /** `$user.businessUnitTreeIds`: the actor's business unit and all units below it. */
  businessUnitTreeIds: readonly string[];
}

const SCALAR_PLACEHOLDERS = new Set(['$user.id']);
const LIST_PLACEHOLDERS = new Set([
  '$user.teamIds',
  '$user.teamMemberIds',
  '$user.businessUnitIds',
  '$user.businessUnitTreeIds',
]);
const RANGE = new Set<FieldOperator>(['$lt', '$lte', '$gt', '$gte']);
const MAX_DEPTH = 8;
const MAX_LIST = 1000;

function invalid(path: string, message: string): CustosError {
  return CustosError.invalidField('access.invalid_condition', path, message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/**
 * Checks a condition before it is saved: only allow-listed operators, only known fields, values
 * of the field's type (or an actor placeholder), no `null` (use `$exists`), no functions, no
 * regular expressions. Throws a 422 naming the offending path, e.g. `conditions.amount.$gte`.
 */
export function validateCondition(
  condition: unknown,
  fields: Readonly<Record<string, FieldType>>,
  path = 'conditions',
  depth = 0,
): asserts condition is Condition {
  if (depth > MAX_DEPTH) {
    throw invalid(path, `nests deeper than ${MAX_DEPTH} levels`);
  }
  if (!isPlainObject(condition)) {
    throw invalid(path, 'must be an object');
  }
  for (const [key, value] of Object.entries(condition)) {
    const at = `${path}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0 || value.length > 50) {
        throw invalid(at, 'must be a list of 1 to 50 conditions');
      }
      value.forEach((item, index) => validateCondition(item, fields, `${at}[${index}]`, depth + 1));
      continue;
    }
    if (key === '$not') {
      validateCondition(value, fields, at, depth + 1);
      continue;
    }
    if (key.startsWith('$')) {
      throw invalid(
        at,
        `operator ${key} is not allowed here; use one of ${[...COMPOUND_OPERATORS].join(', ')} or a field name`,
      );
    }
    const type = fields[key];
    if (type === undefined) {
      throw invalid(at, `unknown field; known fields: ${Object.keys(fields).join(', ')}`);
    }
    if (isPlainObject(value)) {
      validateOperators(value, type, at, depth);
    } else {
      validateOperand('$eq', value, type, at);
    }
  }
}

function validateOperators(
  operators: Record<string, unknown>,
  type: FieldType,
  path: string,
  depth: number,
): void {
  const entries = Object.entries(operators);
  if (entries.length === 0) {
    throw invalid(path, 'needs at least one operator');
  }
  for (const [operator, operand] of entries) {
    if (operator === '$not') {
      if (!isPlainObject(operand) || depth >= MAX_DEPTH) {
        throw invalid(`${path}.$not`, 'must be an object of operators, e.g. { "$gte": 100 }');
      }
      validateOperators(operand, type, `${path}.$not`, depth + 1);
      continue;
    }
    validateOperand(operator, operand, type, `${path}.${operator}`);
  }
}

function validateOperand(operator: string, operand: unknown, type: FieldType, path: string): void {
  if (!(FIELD_OPERATORS as readonly string[]).includes(operator)) {
    throw invalid(
      path,
      `operator ${operator} is not allowed; use one of ${FIELD_OPERATORS.join(', ')}`,
    );
  }
  switch (operator as FieldOperator) {
    case '$exists':
      if (typeof operand !== 'boolean') {
        throw invalid(path, 'must be true or false');
      }
      return;
    case '$in':
    case '$nin':
      if (typeof operand === 'string' && LIST_PLACEHOLDERS.has(operand)) {
        return;
      }
      if (!Array.isArray(operand) || operand.length === 0 || operand.length > MAX_LIST) {
        throw invalid(
          path,
          `must be a list of 1 to ${MAX_LIST} values or a list placeholder (${[...LIST_PLACEHOLDERS].join(', ')})`,
        );
      }
      operand.forEach((item, index) => validateScalar(item, type, `${path}[${index}]`, false));
      return;
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte':
      if (type === 'boolean') {
        throw invalid(path, 'booleans have no order');
      }
      validateScalar(operand, type, path, true);
      return;
    case '$eq':
    case '$ne':
      validateScalar(operand, type, path, true);
      return;
  }
}

function validateScalar(
  value: unknown,
  type: FieldType,
  path: string,
  placeholderAllowed: boolean,
): void {
  if (placeholderAllowed && typeof value === 'string' && SCALAR_PLACEHOLDERS.has(value)) {
    if (type !== 'string') {
      throw invalid(path, `${value} is a string and cannot be compared with a ${type} field`);
    }
    return;
  }
  if (typeof value === 'string' && value.startsWith('$user.')) {
    throw invalid(path, `unknown or misplaced placeholder ${value}`);
  }
  const ok =
    (type === 'string' && typeof value === 'string') ||
    (type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
    (type === 'boolean' && typeof value === 'boolean');
  if (!ok) {
    throw invalid(path, value === null ? 'null is not a value; use $exists' : `must be a ${type}`);
  }
}

/**
 * Replaces actor placeholders with the actor's facts and makes range operators fail on missing
 * values (`$exists: true` alongside), so that CASL's in-memory matching and the SQL translation
 * agree: a record without an amount is not "amount < 100".
 */
export function prepareCondition(condition: Condition, facts: ActorFacts): Condition {
  const placeholder = (value: unknown): unknown => {
    switch (value) {
      case '$user.id':
        return facts.id;
      case '$user.teamIds':
        return [...facts.teamIds];
      case '$user.teamMemberIds':
        return [...facts.teamMemberIds];
      case '$user.businessUnitIds':
        return [...facts.businessUnitIds];
      case '$user.businessUnitTreeIds':
        return [...facts.businessUnitTreeIds];
      default:
        return value;
    }
  };
  const prepareOperators = (value: Record<string, unknown>): Record<string, unknown> => {
    const operators: Record<string, unknown> = {};
    for (const [operator, operand] of Object.entries(value)) {
      operators[operator] =
        operator === '$not'
          ? prepareOperators(operand as Record<string, unknown>)
          : placeholder(operand);
    }
    if (
      Object.keys(operators).some((op) => RANGE.has(op as FieldOperator)) &&
      !('$exists' in operators)
    ) {
      operators.$exists = true;
    }
    return operators;
  };
  const prepare = (node: Condition): Condition => {
    const result: Condition = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$and' || key === '$or') {
        result[key] = (value as Condition[]).map(prepare);
      } else if (key === '$not') {
        // CASL knows a document-level negation as $nor.
        result.$nor = [prepare(value as Condition)];
      } else if (isPlainObject(value)) {
        result[key] = prepareOperators(value);
      } else {
        result[key] = placeholder(value);
      }
    }
    return result;
  };
  return prepare(condition);
}

/** The fields a (saved, unprepared) condition tests. */
export function conditionFields(condition: Condition): Set<string> {
  const fields = new Set<string>();
  const visit = (node: Condition): void => {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$and' || key === '$or') {
        (value as Condition[]).forEach(visit);
      } else if (key === '$not') {
        visit(value as Condition);
      } else {
        fields.add(key);
      }
    }
  };
  visit(condition);
  return fields;
}

/**
 * The object CASL should match for a row: fields with no value are left out, as they are
 * absent (not `null`) in the condition semantics.
 */
export function subjectFields(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value !== null && value !== undefined) {
      fields[key] = value;
    }
  }
  return fields;
}
