import type { AccessRule } from '../conditions/access-ability';

/** One field test: `field op value`. */
interface Literal {
  field: string;
  op: string;
  value: unknown;
}

/** A condition in disjunctive normal form: OR of ANDs of field tests. */
type Dnf = Literal[][];

/**
 * Beyond this many alternatives a rule is given in a safe, coarser form: a grant is left out, a
 * deny forbids the action on the whole type (a UI then never offers what the server refuses).
 */
const MAX_ALTERNATIVES = 1024;

class TooLarge extends Error {}

const NEGATION: Readonly<Record<string, string>> = {
  $eq: '$ne',
  $ne: '$eq',
  $in: '$nin',
  $nin: '$in',
  $lt: '$gte',
  $gte: '$lt',
  $lte: '$gt',
  $gt: '$lte',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checked(dnf: Dnf): Dnf {
  if (dnf.length > MAX_ALTERNATIVES) {
    throw new TooLarge();
  }
  return dnf;
}

/** AND of alternatives: every combination of one alternative of each. */
function product(parts: Dnf[]): Dnf {
  return parts.reduce<Dnf>(
    (acc, part) => checked(acc.flatMap((left) => part.map((right) => [...left, ...right]))),
    [[]],
  );
}

function union(parts: Dnf[]): Dnf {
  return checked(parts.flat());
}

/** A field's operators (`{ $gte: 1, $exists: true }`, `{ $not: {...} }`) as DNF. */
function fieldDnf(field: string, operators: Record<string, unknown>, negated: boolean): Dnf {
  const parts: Dnf[] = Object.entries(operators).map(([op, value]) => {
    if (op === '$not') {
      return fieldDnf(field, value as Record<string, unknown>, !negated);
    }
    if (op === '$exists') {
      return [[{ field, op, value: negated ? !value : value }]];
    }
    const negation = NEGATION[op];
    if (!negation) {
      throw new Error(`Operator ${op} has no plain form.`);
    }
    return [[{ field, op: negated ? negation : op, value }]];
  });
  return negated ? union(parts) : product(parts);
}

/** A prepared condition (see `prepareCondition`) as DNF, or its negation. */
function conditionDnf(condition: Record<string, unknown>, negated: boolean): Dnf {
  const parts: Dnf[] = Object.entries(condition).map(([key, value]) => {
    switch (key) {
      case '$and': {
        const children = (value as Record<string, unknown>[]).map((c) => conditionDnf(c, negated));
        return negated ? union(children) : product(children);
      }
      case '$or': {
        const children = (value as Record<string, unknown>[]).map((c) => conditionDnf(c, negated));
        return negated ? product(children) : union(children);
      }
      case '$nor': {
        const children = (value as Record<string, unknown>[]).map((c) => conditionDnf(c, !negated));
        return negated ? union(children) : product(children);
      }
      default:
        return isPlainObject(value)
          ? fieldDnf(key, value, negated)
          : [[{ field: key, op: negated ? '$ne' : '$eq', value }]];
    }
  });
  return negated ? union(parts) : product(parts);
}

const lessThan = (a: unknown, b: unknown) => (a as number | string) < (b as number | string);

/**
 * The field tests of one alternative merged into one MongoDB query object (CASL's stock
 * operators only), or `null` when they contradict each other (the alternative matches nothing).
 */
function toQuery(literals: Literal[]): Record<string, Record<string, unknown>> | null {
  const query: Record<string, Record<string, unknown>> = {};
  const byField = new Map<string, Literal[]>();
  for (const literal of literals) {
    byField.set(literal.field, [...(byField.get(literal.field) ?? []), literal]);
  }
  for (const [field, tests] of byField) {
    const operators: Record<string, unknown> = {};
    let inList: unknown[] | undefined;
    const notIn: unknown[] = [];
    for (const { op, value } of tests) {
      switch (op) {
        case '$eq':
          if ('$eq' in operators && operators.$eq !== value) {
            return null;
          }
          operators.$eq = value;
          break;
        case '$ne':
          notIn.push(value);
          break;
        case '$nin':
          notIn.push(...(value as unknown[]));
          break;
        case '$in':
          inList = inList
            ? inList.filter((v) => (value as unknown[]).includes(v))
            : [...(value as unknown[])];
          break;
        case '$exists':
          if ('$exists' in operators && operators.$exists !== value) {
            return null;
          }
          operators.$exists = value;
          break;
        case '$lt':
        case '$lte':
          if (!(op in operators) || lessThan(value, operators[op])) {
            operators[op] = value;
          }
          break;
        case '$gt':
        case '$gte':
          if (!(op in operators) || lessThan(operators[op], value)) {
            operators[op] = value;
          }
          break;
      }
    }
    if (inList !== undefined) {
      if (inList.length === 0) {
        return null;
      }
      operators.$in = inList;
    }
    if (notIn.length > 0) {
      operators.$nin = [...new Set(notIn)];
    }
    query[field] = operators;
  }
  return query;
}

function withoutConditions(rule: AccessRule): AccessRule {
  const copy = { ...rule };
  delete copy.conditions;
  return copy;
}

/** One rule in plain form (one rule per alternative), or `null` when it has too many alternatives. */
export function plainRule(rule: AccessRule): AccessRule[] | null {
  if (!rule.conditions) {
    return [rule];
  }
  let alternatives: Dnf;
  try {
    alternatives = conditionDnf(rule.conditions, false);
  } catch (error) {
    if (error instanceof TooLarge) {
      return null;
    }
    throw error;
  }
  const rest = withoutConditions(rule);
  return alternatives.flatMap((literals) => {
    const query = toQuery(literals);
    if (query === null) {
      return [];
    }
    return Object.keys(query).length === 0 ? [rest] : [{ ...rest, conditions: query }];
  });
}

/**
 * The same rules in the form CASL's stock `createMongoAbility` evaluates correctly: it knows
 * field operators only, not `$and`/`$or`/`$nor`/`$not`, and would silently mismatch them. Each
 * condition is rewritten to OR-of-ANDs and its rule repeated once per alternative (rules of one
 * kind are OR'ed by CASL; an inverted rule per alternative forbids each of them).
 */
export function plainRules(rules: readonly AccessRule[]): AccessRule[] {
  return rules.flatMap((rule): AccessRule[] => {
    const plain = plainRule(rule);
    if (plain !== null) {
      return plain;
    }
    return rule.inverted ? [withoutConditions(rule)] : [];
  });
}
