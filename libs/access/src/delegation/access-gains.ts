import { subject as asSubject } from '@casl/ability';
import type { TaskPrivilege } from '@custos/core';
import type { ActorAccess } from '../abilities/actor-access';
import {
  conditionMatcher,
  RECORD_ACTIONS,
  type AccessRule,
  type RecordAction,
} from '../conditions/access-ability';

/** Something a user could do after an administrative change that the actor could not do before it. */
export type AccessGain =
  | { userId: string; kind: 'super_admin' }
  | { userId: string; kind: 'task_privilege'; privilege: TaskPrivilege }
  | { userId: string; kind: 'records'; action: RecordAction; objectType: string }
  | {
      userId: string;
      kind: 'field';
      access: 'view' | 'edit';
      objectType: string;
      property: string;
    };

/**
 * Above this many cases of one comparison the check gives up and counts it as a gain: refusing
 * a change it cannot verify is sound, letting it through is not.
 */
export const MAX_CASES = 200_000;

/** What is compared besides record actions: the properties field permissions restrict, per type. */
export interface ComparedFields {
  readonly restricted: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * What `after` may do that neither `before` (the same user before the change; `null` for someone
 * who had no access) nor `actor` (the author of the change, before it) may do: task privileges,
 * super-admin status, fields, and records — the latter reasoned over the rules, not over stored
 * rows, so it holds for records created later too.
 */
export function accessGains(
  userId: string,
  actor: ActorAccess,
  before: ActorAccess | null,
  after: ActorAccess,
  fields: ComparedFields,
  compare: { records: boolean; fields: boolean } = { records: true, fields: true },
): AccessGain[] {
  if (before?.superAdmin) {
    return [];
  }
  if (after.superAdmin) {
    return actor.superAdmin ? [] : [{ userId, kind: 'super_admin' }];
  }
  const gains: AccessGain[] = [];
  for (const privilege of after.taskPrivileges) {
    if (!before?.taskPrivileges.has(privilege) && !actor.taskPrivileges.has(privilege)) {
      gains.push({ userId, kind: 'task_privilege', privilege });
    }
  }
  for (const [objectType, action] of compare.records ? grantedPairs(after) : []) {
    if (recordsGained(actor, before, after, action, objectType)) {
      gains.push({ userId, kind: 'records', action, objectType });
    }
  }
  for (const [objectType, properties] of compare.fields ? fields.restricted : []) {
    const [mine, was, now] = [actor, before, after].map((a) => a?.fields(objectType));
    for (const property of properties) {
      if (now!.canView(property) && !was?.canView(property) && !mine!.canView(property)) {
        gains.push({ userId, kind: 'field', access: 'view', objectType, property });
      }
      if (now!.canEdit(property) && !was?.canEdit(property) && !mine!.canEdit(property)) {
        gains.push({ userId, kind: 'field', access: 'edit', objectType, property });
      }
    }
  }
  return gains;
}

/** The (object type, action) pairs some positive rule of the access covers. */
function grantedPairs(access: ActorAccess): Array<[string, RecordAction]> {
  const pairs = new Map<string, [string, RecordAction]>();
  for (const rule of access.ability.rules) {
    if (rule.inverted) {
      continue;
    }
    const actions: string[] = [rule.action].flat();
    const subjects = [rule.subject].flat() as string[];
    for (const action of actions.includes('manage') ? RECORD_ACTIONS : actions) {
      for (const objectType of subjects) {
        pairs.set(`${objectType}:${action}`, [objectType, action as RecordAction]);
      }
    }
  }
  return [...pairs.values()];
}

/** The record rules of an action on a type (field-level rules aside), as comparable JSON. */
function recordRules(access: ActorAccess, action: RecordAction, objectType: string): AccessRule[] {
  return access.ability
    .rulesFor(action, objectType)
    .filter((rule) => !rule.fields)
    .map((rule) => ({
      action: rule.action,
      subject: rule.subject,
      inverted: rule.inverted,
      conditions: rule.conditions,
    }));
}

/**
 * Whether some record — one stored now or any made later — is one `after` may do `action` on
 * while neither `before` nor `actor` may. Each field the rules test has finitely many classes of
 * values that no condition tells apart (each constant, each gap between constants, missing); one
 * value per class and every combination of classes across fields covers every possible record.
 */
export function recordsGained(
  actor: ActorAccess,
  before: ActorAccess | null,
  after: ActorAccess,
  action: RecordAction,
  objectType: string,
): boolean {
  const now = recordRules(after, action, objectType);
  if (!now.some((rule) => !rule.inverted)) {
    return false;
  }
  const was = before ? recordRules(before, action, objectType) : [];
  if (JSON.stringify(now) === JSON.stringify(was)) {
    return false;
  }
  const mine = recordRules(actor, action, objectType);
  if (mine.some((r) => !r.inverted && !r.conditions) && !mine.some((r) => r.inverted)) {
    return false;
  }
  const classes = valueClasses([...now, ...was, ...mine]);
  const fieldNames = [...classes.keys()];
  const sizes = fieldNames.map((f) => classes.get(f)!.length);
  if (sizes.reduce((n, size) => n * size, 1) > MAX_CASES) {
    return true;
  }
  const position = sizes.map(() => 0);
  for (;;) {
    const record: Record<string, unknown> = {};
    fieldNames.forEach((field, i) => {
      const value = classes.get(field)![position[i]];
      if (value !== undefined) {
        record[field] = value;
      }
    });
    const can = (access: ActorAccess) =>
      access.ability.can(action, asSubject(objectType, { ...record }));
    if (can(after) && !(before && can(before)) && !can(actor)) {
      return true;
    }
    let i = 0;
    while (i < position.length && ++position[i] === sizes[i]) {
      position[i] = 0;
      i++;
    }
    if (i === position.length) {
      return false;
    }
  }
}

type Leaf = Record<string, unknown>;

/** Every field's representative values, one per class of values the rules' conditions tell apart. */
function valueClasses(rules: readonly AccessRule[]): Map<string, unknown[]> {
  const leaves = new Map<string, Map<string, Leaf>>();
  const constants = new Map<string, Set<unknown>>();
  const visit = (condition: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(condition)) {
      if (key === '$and' || key === '$or' || key === '$nor') {
        (value as Record<string, unknown>[]).forEach(visit);
        continue;
      }
      const leaf = { [key]: value };
      const byKey = leaves.get(key) ?? new Map<string, Leaf>();
      byKey.set(JSON.stringify(leaf), leaf);
      leaves.set(key, byKey);
      const found = constants.get(key) ?? new Set<unknown>();
      collectConstants(value, found);
      constants.set(key, found);
    }
  };
  for (const rule of rules) {
    if (rule.conditions) {
      visit(rule.conditions);
    }
  }
  const classes = new Map<string, unknown[]>();
  for (const [field, byKey] of leaves) {
    const matchers = [...byKey.values()].map(conditionMatcher);
    const seen = new Set<string>();
    const kept: unknown[] = [];
    for (const candidate of representatives([...constants.get(field)!])) {
      const object = candidate === undefined ? {} : { [field]: candidate };
      const signature = matchers.map((matches) => (matches(object) ? 1 : 0)).join('');
      if (!seen.has(signature)) {
        seen.add(signature);
        kept.push(candidate);
      }
    }
    classes.set(field, kept);
  }
  return classes;
}

function collectConstants(value: unknown, into: Set<unknown>): void {
  if (Array.isArray(value)) {
    value.forEach((item) => collectConstants(item, into));
  } else if (typeof value === 'object' && value !== null) {
    for (const [operator, operand] of Object.entries(value)) {
      if (operator !== '$exists') {
        collectConstants(operand, into);
      }
    }
  } else {
    into.add(value);
  }
}

/**
 * Missing, and per value type the constants are of: each constant and one value inside every gap
 * between consecutive constants (and beyond both ends). A gap that holds no value yields a
 * duplicate of a neighbour, which only adds a case. A field tested for presence only gets one
 * present value.
 */
function representatives(constants: unknown[]): unknown[] {
  const strings = constants.filter((c): c is string => typeof c === 'string').sort(compare);
  const numbers = constants.filter((c): c is number => typeof c === 'number').sort((a, b) => a - b);
  const values: unknown[] = [undefined];
  if (constants.some((c) => typeof c === 'boolean')) {
    values.push(true, false);
  }
  if (strings.length > 0) {
    values.push('');
    for (const s of strings) {
      // s + U+0000 is the least string above s: it lies in the gap after s, whatever comes next.
      values.push(s, `${s}\u0000`);
    }
  }
  if (numbers.length > 0) {
    const beyond = (n: number) => Math.max(1, Math.abs(n));
    values.push(numbers[0] - beyond(numbers[0]));
    numbers.forEach((n, i) => {
      const next = numbers[i + 1];
      values.push(n, next === undefined ? n + beyond(n) : n + (next - n) / 2);
    });
  }
  if (values.length === 1) {
    values.push('');
  }
  return values;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
