import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import {
  computedInputs,
  evaluateFormula,
  evaluateScore,
  formulaInputs,
  parseFormula,
  type Formula,
} from './calculation';
import type { PropertyDefinition, PropertyValue, ScoreRule } from '../kernel';

function parsed(source: string): Formula {
  const result = parseFormula(source);
  if ('error' in result) {
    throw new Error(`"${source}" did not parse: ${result.error}`);
  }
  return result.formula;
}

function errorOf(source: string): string {
  const result = parseFormula(source);
  if (!('error' in result)) {
    throw new Error(`"${source}" parsed, but should not have`);
  }
  return result.error;
}

describe(parseFormula.name, () => {
  it('parses numbers, property names and the four operators', () => {
    expect(parsed('amount * probability / 100')).toEqual({
      kind: 'binary',
      op: '/',
      left: {
        kind: 'binary',
        op: '*',
        left: { kind: 'property', name: 'amount' },
        right: { kind: 'property', name: 'probability' },
      },
      right: { kind: 'number', value: 100 },
    });
  });

  it('binds * and / tighter than + and -, and associates to the left', () => {
    expect(evaluateFormula(parsed('1 + 2 * 3'), {})).toBe(7);
    expect(evaluateFormula(parsed('(1 + 2) * 3'), {})).toBe(9);
    expect(evaluateFormula(parsed('10 - 4 - 3'), {})).toBe(3);
    expect(evaluateFormula(parsed('64 / 4 / 2'), {})).toBe(8);
  });

  it('reads decimals, unary minus and extra whitespace', () => {
    expect(evaluateFormula(parsed('  -2.5 *  - (1.5 - 3.5) '), {})).toBe(-5);
    expect(evaluateFormula(parsed('- - 4'), {})).toBe(4);
    expect(evaluateFormula(parsed('a_1+b2'), { a_1: 1, b2: 2 })).toBe(3);
  });

  it.each([
    ['', 'the formula is empty'],
    ['   ', 'the formula is empty'],
    ['1 +', 'the formula ends too early'],
    ['(1 + 2', 'a parenthesis is not closed'],
    ['1 + 2)', 'unexpected ")"'],
    ['1 2', 'unexpected "2"'],
    ['* 3', 'unexpected "*"'],
    ['()', 'unexpected ")"'],
  ])('refuses %j: %s', (source, message) => {
    expect(errorOf(source)).toBe(message);
  });

  it.each(['amount % 2', 'Amount * 2', 'amount ^ 2', "amount + 'x'", 'amount; drop'])(
    'names the position of an unexpected character in %j',
    (source) => {
      expect(errorOf(source)).toMatch(/^unexpected character at position \d+$/);
    },
  );

  it('reports the position of the offending character (1-based)', () => {
    expect(errorOf('ab + $')).toBe('unexpected character at position 5');
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (source) => {
        const result = parseFormula(source);
        expect('formula' in result || typeof result.error === 'string').toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe(formulaInputs.name, () => {
  it('lists the property names a formula reads, in order of appearance', () => {
    expect(formulaInputs(parsed('-(a + 2) * b / a'))).toEqual(['a', 'b', 'a']);
    expect(formulaInputs(parsed('1 + 2'))).toEqual([]);
  });
});

describe(computedInputs.name, () => {
  const definition = (fields: Partial<PropertyDefinition>): PropertyDefinition => ({
    name: 'derived',
    label: 'Derived',
    groupName: 'custom',
    description: '',
    type: 'number',
    options: [],
    unique: false,
    required: false,
    standard: false,
    formula: null,
    scoreRules: [],
    sensitivity: null,
    indexed: false,
    indexState: null,
    ...fields,
  });

  it("names a calculation's formula inputs", () => {
    expect(
      computedInputs(definition({ type: 'calculation', formula: 'salary * 2 + bonus' })),
    ).toEqual(['salary', 'bonus']);
  });

  it("names the properties a score's rules test", () => {
    const scoreRules: ScoreRule[] = [
      { propertyName: 'salary', operator: 'gt', value: 1, points: 1 },
      { propertyName: 'lifecyclestage', operator: 'has_property', points: 2 },
    ];
    expect(computedInputs(definition({ type: 'score', scoreRules }))).toEqual([
      'salary',
      'lifecyclestage',
    ]);
  });

  it('names none for a property that is not computed', () => {
    expect(computedInputs(definition({ type: 'number' }))).toEqual([]);
  });
});

describe(evaluateFormula.name, () => {
  it('computes with the values of number properties', () => {
    expect(
      evaluateFormula(parsed('amount * probability / 100'), { amount: 1000, probability: 30 }),
    ).toBe(300);
  });

  it.each<[string, Record<string, PropertyValue>]>([
    ['a missing input', { amount: 5 }],
    ['an input without a value', { amount: 5, probability: null }],
    ['an input that is not a number', { amount: 5, probability: '30' }],
    ['a boolean input', { amount: 5, probability: true }],
  ])('yields no value for %s', (_case, values) => {
    expect(evaluateFormula(parsed('amount * probability'), values)).toBeNull();
  });

  it('yields no value for a division by zero instead of Infinity or NaN', () => {
    expect(evaluateFormula(parsed('a / b'), { a: 1, b: 0 })).toBeNull();
    expect(evaluateFormula(parsed('a / b'), { a: 0, b: 0 })).toBeNull();
    expect(evaluateFormula(parsed('1 + a / (b - b)'), { a: 1, b: 3 })).toBeNull();
    expect(evaluateFormula(parsed('-(a / b)'), { a: 1, b: 0 })).toBeNull();
  });

  it('yields no value for a result too large for a number', () => {
    expect(evaluateFormula(parsed('a / b'), { a: 1, b: 5e-324 })).toBeNull();
    expect(evaluateFormula(parsed('a * a'), { a: 1e200 })).toBeNull();
    expect(evaluateFormula(parsed('a * a - a * a'), { a: 1e200 })).toBeNull();
  });

  /** Arithmetic source text over numbers and the variables a, b, c, in the formula grammar (also valid JS). */
  const names = ['a', 'b', 'c'] as const;
  const literal = fc.oneof(
    fc.integer({ min: 0, max: 1000 }).map(String),
    fc
      .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 999 }))
      .map(([whole, fraction]) => `${whole}.${fraction}`),
  );
  const expressionText = (withDivision: boolean) =>
    fc.letrec<{ expr: string; factor: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tie('factor'),
        fc
          .tuple(
            tie('expr'),
            fc.constantFrom(...(withDivision ? ['+', '-', '*', '/'] : ['+', '-', '*'])),
            tie('expr'),
          )
          .map(([left, op, right]) => `${left} ${op} ${right}`),
      ),
      factor: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        literal,
        fc.constantFrom(...names),
        tie('expr').map((inner) => `(${inner})`),
        // A space after the minus: "- -1" is JS, "--1" is not.
        tie('factor').map((inner) => `- ${inner}`),
      ),
    })).expr;
  const inputs = fc.record({
    a: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    b: fc.integer({ min: -50, max: 50 }),
    c: fc.constantFrom(0, 1, -1, 0.5, 3),
  });
  /** The same source text evaluated by JavaScript itself, in a context holding only a, b and c. */
  const javascript = (source: string, values: { a: number; b: number; c: number }): number =>
    runInNewContext(`(${source})`, { ...values }) as number;

  it('equals JavaScript arithmetic for random expressions without division', () => {
    fc.assert(
      fc.property(expressionText(false), inputs, (source, values) => {
        expect(evaluateFormula(parsed(source), values)).toBe(javascript(source, values));
      }),
      { numRuns: 300 },
    );
  });

  it('equals JavaScript arithmetic for random expressions with division, or yields no value after a division by zero', () => {
    fc.assert(
      fc.property(expressionText(true), inputs, (source, values) => {
        const result = evaluateFormula(parsed(source), values);
        const expected = javascript(source, values);
        if (result === null) {
          // Only a division (by zero, or overflowing) makes a value disappear when every input is present.
          expect(source).toContain('/');
        } else {
          expect(result).toBe(expected);
        }
        if (!Number.isFinite(expected)) {
          expect(result).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe(evaluateScore.name, () => {
  const rules: ScoreRule[] = [
    { propertyName: 'lifecyclestage', operator: 'eq', value: 'customer', points: 10 },
    { propertyName: 'country', operator: 'neq', value: 'DE', points: 1 },
    { propertyName: 'employees', operator: 'gt', value: 100, points: 5 },
    { propertyName: 'employees', operator: 'lt', value: 10, points: -3 },
    { propertyName: 'email', operator: 'has_property', points: 2 },
  ];

  it('sums the points of the matching rules', () => {
    expect(
      evaluateScore(rules, {
        lifecyclestage: 'customer',
        country: 'FR',
        employees: 500,
        email: 'a@example.com',
      }),
    ).toBe(18);
    expect(evaluateScore(rules, { lifecyclestage: 'lead', country: 'DE', employees: 5 })).toBe(-3);
  });

  it('is 0 without rules', () => {
    expect(evaluateScore([], { lifecyclestage: 'customer' })).toBe(0);
  });

  it('counts a missing value as "not equal" and never as greater or less', () => {
    expect(evaluateScore(rules, {})).toBe(1);
  });

  it('does not compare numbers with strings', () => {
    expect(evaluateScore(rules, { employees: '500' })).toBe(1);
  });

  it('does not count an empty string as having a value', () => {
    expect(evaluateScore(rules, { email: '', country: 'DE' })).toBe(0);
  });
});
