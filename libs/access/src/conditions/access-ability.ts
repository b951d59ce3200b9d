import {
  buildMongoQueryMatcher,
  createMongoAbility,
  type MongoAbility,
  type RawRuleOf,
  type Subject,
} from '@casl/ability';
import { $and, $nor, $not, $or, and, nor, not, or } from '@ucast/mongo2js';

/** Actions on records (Dynamics 365 privileges). */
export const RECORD_ACTIONS = [
  'create',
  'read',
  'update',
  'delete',
  'assign',
  'share',
  'export',
  'import',
] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];

/** An ability over record actions and subject types named by string (`contacts`, or a consumer's entity name). */
export type AccessAbility = MongoAbility<[string, Subject]>;
export type AccessRule = RawRuleOf<AccessAbility>;

/**
 * CASL's default matcher knows field operators only; conditions here may also combine with
 * `$and`, `$or`, `$nor` and negate a field's operators with `$not`.
 */
const conditionsMatcher = buildMongoQueryMatcher({ $and, $or, $nor, $not }, { and, or, nor, not });

/** A prepared condition as a predicate on plain objects, matching exactly as the ability does. */
export function conditionMatcher(
  condition: Record<string, unknown>,
): (object: Record<string, unknown>) => boolean {
  return conditionsMatcher(condition);
}

/** Builds an ability from prepared rules (placeholders resolved, see `prepareCondition`). */
export function createAccessAbility(rules: AccessRule[]): AccessAbility {
  return createMongoAbility<[string, Subject]>(rules, { conditionsMatcher });
}
