import { CustosError } from '@custos/core';

/**
 * The errors of property definitions (`crm.*` codes), one wording each. Validation errors name
 * the field of the definition they are about (`options[2].value`, `scoreRules[0].propertyName`).
 */
export const propertyErrors = {
  notFound: (name: string): CustosError =>
    new CustosError(
      'not_found',
      'crm.property_not_found',
      `There is no property "${name}" on this object type.`,
    ),

  duplicate: (name: string): CustosError =>
    new CustosError(
      'conflict',
      'crm.duplicate_property',
      `A property named "${name}" already exists on this object type.`,
      { errors: [{ field: 'name', message: 'is already taken on this object type' }] },
    ),

  invalidName: (): CustosError =>
    CustosError.invalidField(
      'crm.invalid_property_name',
      'name',
      'must be a property name: a lower-case letter, then letters, digits or _',
    ),

  standard: (name: string): CustosError =>
    new CustosError(
      'conflict',
      'crm.standard_property',
      `"${name}" is a standard property: it cannot be changed or deleted.`,
    ),

  hasValues: (): CustosError =>
    CustosError.invalidField(
      'crm.property_has_values',
      'type',
      'cannot change while records have values for this property',
    ),

  /** `field`: where the input is named (`formula`, `scoreRules[1].propertyName`). */
  computedInputNotReadable: (input: string, field: string): CustosError =>
    new CustosError(
      'forbidden',
      'crm.computed_input_not_readable',
      `You may not compute a property from "${input}": you may not read it.`,
      {
        errors: [{ field, message: `you may not read "${input}"` }],
        extensions: { property: input },
      },
    ),

  /** `users`: the computed properties that read it. */
  computedFrom: (name: string, change: PropertyChange, users: readonly string[]): CustosError =>
    new CustosError(
      'conflict',
      'crm.property_in_use',
      `"${name}" cannot be ${change}: ${users.map((u) => `"${u}"`).join(', ')} ${users.length === 1 ? 'is' : 'are'} computed from it. Change or delete ${users.length === 1 ? 'that property' : 'those properties'} first.`,
    ),

  /** `ruleIds`: the record rules that test it. */
  testedByRules: (name: string, change: PropertyChange, ruleIds: readonly string[]): CustosError =>
    new CustosError(
      'conflict',
      'crm.property_in_rule',
      `"${name}" cannot be ${change}: ${ruleIds.length === 1 ? 'a record rule tests' : `${ruleIds.length} record rules test`} it. Change or delete ${ruleIds.length === 1 ? 'that rule' : 'those rules'} first.`,
      { extensions: { rules: ruleIds } },
    ),

  sensitivityFixed: (): CustosError =>
    CustosError.invalidField(
      'crm.sensitive_fixed',
      'sensitivity',
      'whether a property is sensitive is set when it is created and never changes',
    ),

  sensitiveNotAllowed: (type: string): CustosError =>
    CustosError.invalidField(
      'crm.sensitive_not_allowed',
      'sensitivity',
      `a ${type} property is computed from other values and cannot be sensitive`,
    ),

  /** `why`: the rest of the sentence, e.g. "a bool property cannot require unique values". */
  uniqueNotAllowed: (why: string): CustosError =>
    CustosError.invalidField('crm.unique_not_allowed', 'unique', why),

  /** `why`: the rest of the sentence, e.g. "a sensitive property cannot be indexed …". */
  indexNotAllowed: (why: string): CustosError =>
    CustosError.invalidField('crm.index_not_allowed', 'indexed', why),

  requiredNotAllowed: (type: string): CustosError =>
    CustosError.invalidField(
      'crm.required_not_allowed',
      'required',
      `a ${type} property is computed and cannot be required`,
    ),

  optionsRequired: (): CustosError =>
    CustosError.invalidField(
      'crm.options_required',
      'options',
      'an enumeration needs at least one option',
    ),

  duplicateOption: (index: number): CustosError =>
    CustosError.invalidField(
      'crm.duplicate_option',
      `options[${index}].value`,
      'option values must be unique',
    ),

  optionsNotAllowed: (): CustosError =>
    CustosError.invalidField(
      'crm.options_not_allowed',
      'options',
      'only enumeration properties have options',
    ),

  formulaRequired: (): CustosError =>
    CustosError.invalidField(
      'crm.formula_required',
      'formula',
      'a calculation property needs a formula',
    ),

  invalidFormula: (message: string): CustosError =>
    CustosError.invalidField('crm.invalid_formula', 'formula', message),

  formulaNotAllowed: (): CustosError =>
    CustosError.invalidField(
      'crm.formula_not_allowed',
      'formula',
      'only calculation properties have a formula',
    ),

  invalidScoreRule: (index: number, message: string): CustosError =>
    CustosError.invalidField(
      'crm.invalid_score_rule',
      `scoreRules[${index}].propertyName`,
      message,
    ),

  scoreRulesNotAllowed: (): CustosError =>
    CustosError.invalidField(
      'crm.score_rules_not_allowed',
      'scoreRules',
      'only score properties have score rules',
    ),
};

/** What a refused change would have done to a property, as error messages say it. */
export type PropertyChange = 'deleted' | 'retyped';
