import { CustosError } from '@custos/core';
import { objectTypeOf, type PropertyDefinition, type PropertySchema } from '../kernel';
import type { CreatePropertyDto, UpdatePropertyDto } from './property.dto';
import {
  checkDefinition,
  newDefinition,
  nextSensitivity,
  refuseIfComputedFrom,
  updatedDefinition,
} from './property-rules';

/** The sensitivity a request may give in part (the DTO's members are optional on the wire). */
const SENSITIVE = {} as CreatePropertyDto['sensitivity'];

function definition(overrides: Partial<CreatePropertyDto>): PropertyDefinition {
  return newDefinition({
    name: 'custom_value',
    label: 'Custom value',
    type: 'string',
    ...overrides,
  });
}

function schemaOf(...definitions: PropertyDefinition[]): PropertySchema {
  return {
    objectType: objectTypeOf('contacts'),
    byName: new Map(definitions.map((d) => [d.name, d])),
    columns: new Map(),
    readOnly: new Set(),
  };
}

const amount = definition({ name: 'amount', type: 'number' });
const diagnosis = definition({
  name: 'diagnosis',
  sensitivity: { ...SENSITIVE, phi: true } as CreatePropertyDto['sensitivity'],
});
const schema = schemaOf(amount, diagnosis, definition({ name: 'stage' }));

/** The error `work` throws, as `{ code, field }` (field: the first one named). */
function refusal(work: () => unknown): { code: string; kind: string; field?: string } {
  try {
    work();
  } catch (error) {
    if (error instanceof CustosError) {
      return { code: error.code, kind: error.kind, field: error.options.errors?.[0]?.field };
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

describe(checkDefinition.name, () => {
  it('accepts a plain definition and fills the defaults of a new one', () => {
    const plain = definition({});
    expect(plain).toMatchObject({
      groupName: 'custom',
      unique: false,
      required: false,
      standard: false,
      sensitivity: null,
    });
    expect(() => checkDefinition(plain, schema)).not.toThrow();
    expect(definition({ sensitivity: SENSITIVE }).sensitivity).toEqual({
      phi: false,
      highlySensitive: false,
      access: 'everyone',
    });
  });

  it.each([
    [
      'a sensitive computed property',
      { type: 'score', sensitivity: SENSITIVE },
      'crm.sensitive_not_allowed',
      'sensitivity',
    ],
    [
      'a sensitive unique property',
      { unique: true, sensitivity: SENSITIVE },
      'crm.unique_not_allowed',
      'unique',
    ],
    ['a unique bool', { type: 'bool', unique: true }, 'crm.unique_not_allowed', 'unique'],
    [
      'a required calculation',
      { type: 'calculation', formula: 'amount', required: true },
      'crm.required_not_allowed',
      'required',
    ],
    ['an enumeration without options', { type: 'enumeration' }, 'crm.options_required', 'options'],
    [
      'options on a string',
      { options: [{ value: 'a', label: 'A' }] },
      'crm.options_not_allowed',
      'options',
    ],
    ['a calculation without formula', { type: 'calculation' }, 'crm.formula_required', 'formula'],
    [
      'a formula that does not parse',
      { type: 'calculation', formula: 'amount *' },
      'crm.invalid_formula',
      'formula',
    ],
    [
      'a formula over a string',
      { type: 'calculation', formula: 'stage * 2' },
      'crm.invalid_formula',
      'formula',
    ],
    ['a formula on a string property', { formula: 'amount' }, 'crm.formula_not_allowed', 'formula'],
    [
      'score rules on a string',
      { scoreRules: [{ propertyName: 'amount', operator: 'gt', value: 1, points: 1 }] },
      'crm.score_rules_not_allowed',
      'scoreRules',
    ],
  ] as const)('refuses %s with a 422 naming the field', (_, overrides, code, field) => {
    expect(
      refusal(() => checkDefinition(definition(overrides as Partial<CreatePropertyDto>), schema)),
    ).toEqual({
      code,
      kind: 'validation',
      field,
    });
  });

  it('names the index of a duplicate option', () => {
    const options = ['a', 'b', 'a'].map((value) => ({ value, label: value }));
    expect(
      refusal(() => checkDefinition(definition({ type: 'enumeration', options }), schema)),
    ).toMatchObject({
      code: 'crm.duplicate_option',
      field: 'options[2].value',
    });
  });

  it('refuses computing from a sensitive property, naming the formula or the score rule', () => {
    const sensitiveNumber = definition({ name: 'weight', type: 'number', sensitivity: SENSITIVE });
    const withWeight = schemaOf(amount, sensitiveNumber);
    expect(
      refusal(() =>
        checkDefinition(definition({ type: 'calculation', formula: 'weight * 2' }), withWeight),
      ),
    ).toMatchObject({ code: 'crm.invalid_formula', field: 'formula' });
    const rules = [
      { propertyName: 'amount', operator: 'gt' as const, value: 1, points: 1 },
      { propertyName: 'weight', operator: 'has_property' as const, points: 1 },
    ];
    expect(
      refusal(() => checkDefinition(definition({ type: 'score', scoreRules: rules }), withWeight)),
    ).toMatchObject({ code: 'crm.invalid_score_rule', field: 'scoreRules[1].propertyName' });
  });

  it('refuses a score rule on an unknown property or on the score itself', () => {
    const rule = (propertyName: string) => [
      { propertyName, operator: 'has_property' as const, points: 1 },
    ];
    expect(
      refusal(() =>
        checkDefinition(definition({ type: 'score', scoreRules: rule('nothing') }), schema),
      ),
    ).toMatchObject({ code: 'crm.invalid_score_rule', field: 'scoreRules[0].propertyName' });
    expect(
      refusal(() =>
        checkDefinition(
          definition({ name: 'lead_score', type: 'score', scoreRules: rule('lead_score') }),
          schema,
        ),
      ),
    ).toMatchObject({ code: 'crm.invalid_score_rule' });
  });
});

describe(`${checkDefinition.name} of indexed properties`, () => {
  it('indexes single comparable values only, never sensitive ones or files (422 naming indexed)', () => {
    for (const type of ['string', 'number', 'bool', 'date', 'datetime'] as const) {
      expect(() => checkDefinition(definition({ type, indexed: true }), schema)).not.toThrow();
    }
    expect(
      refusal(() => checkDefinition(definition({ type: 'file', indexed: true }), schema)),
    ).toEqual({ code: 'crm.index_not_allowed', kind: 'validation', field: 'indexed' });
    expect(refusal(() => checkDefinition({ ...diagnosis, indexed: true }, schema))).toEqual({
      code: 'crm.index_not_allowed',
      kind: 'validation',
      field: 'indexed',
    });
  });

  it('keeps the flag and its state unless an update changes it', () => {
    const indexed = { ...definition({ indexed: true }), indexState: 'ready' as const };
    expect(definition({}).indexed).toBe(false);
    expect(updatedDefinition(indexed, { label: 'Renamed' })).toMatchObject({
      indexed: true,
      indexState: 'ready',
    });
    expect(updatedDefinition(indexed, { indexed: false }).indexed).toBe(false);
  });
});

describe(nextSensitivity.name, () => {
  it('keeps or changes the details of a sensitive property', () => {
    expect(nextSensitivity(diagnosis, {})).toBe(diagnosis.sensitivity);
    expect(
      nextSensitivity(diagnosis, { sensitivity: { highlySensitive: true } } as UpdatePropertyDto),
    ).toEqual({
      phi: true,
      highlySensitive: true,
      access: 'everyone',
    });
  });

  it('never makes a property sensitive or ordinary after its creation', () => {
    expect(refusal(() => nextSensitivity(diagnosis, { sensitivity: null }))).toMatchObject({
      code: 'crm.sensitive_fixed',
      field: 'sensitivity',
    });
    expect(refusal(() => nextSensitivity(amount, { sensitivity: SENSITIVE }))).toMatchObject({
      code: 'crm.sensitive_fixed',
    });
  });
});

describe(updatedDefinition.name, () => {
  it('drops what the old type had when the type changes, unless the update gives it again', () => {
    const stage = definition({
      name: 'stage',
      type: 'enumeration',
      options: [{ value: 'a', label: 'A' }],
    });
    expect(updatedDefinition(stage, { type: 'string' }).options).toEqual([]);
    expect(updatedDefinition(stage, { label: 'Stage' })).toMatchObject({
      label: 'Stage',
      options: stage.options,
    });
  });
});

describe(refuseIfComputedFrom.name, () => {
  it('refuses deleting or retyping an input of a computed property, naming its users', () => {
    const doubled = definition({ name: 'doubled', type: 'calculation', formula: 'amount * 2' });
    const error = (() => {
      try {
        refuseIfComputedFrom(schemaOf(amount, doubled), 'amount', 'deleted');
      } catch (e) {
        return e as CustosError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toMatchObject({ kind: 'conflict', code: 'crm.property_in_use' });
    expect(error.detail).toContain('"doubled" is computed from it');
    expect(() =>
      refuseIfComputedFrom(schemaOf(amount, doubled), 'doubled', 'retyped'),
    ).not.toThrow();
  });
});
