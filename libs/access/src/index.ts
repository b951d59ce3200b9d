export {
  COMPOUND_OPERATORS,
  FIELD_OPERATORS,
  prepareCondition,
  subjectFields,
  validateCondition,
  type ActorFacts,
  type Condition,
  type FieldOperator,
  type FieldType,
} from './conditions/condition-language';
export {
  RECORD_ACTIONS,
  createAccessAbility,
  type AccessAbility,
  type AccessRule,
  type RecordAction,
} from './conditions/access-ability';
export { accessibleBy, type AccessibleByOptions, type SqlCondition } from './query/accessible-by';
