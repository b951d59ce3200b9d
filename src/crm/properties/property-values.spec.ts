import fc from 'fast-check';
import { CustosError } from '@custos/core';
import {
  MAX_STANDARD_STRING_LENGTH,
  MAX_STRING_LENGTH,
  normalizeValue,
  uniqueKeyOf,
} from './property-values';
import type { PropertyDefinition, PropertyType } from '../kernel';

function definition(
  type: PropertyType,
  fields: Partial<PropertyDefinition> = {},
): PropertyDefinition {
  return {
    name: 'field',
    label: 'Field',
    groupName: 'custom',
    description: '',
    type,
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
  };
}

/** The error `normalizeValue` throws, asserted to be a 422 naming the field. */
function refusal(type: PropertyType, raw: unknown, fields: Partial<PropertyDefinition> = {}) {
  try {
    normalizeValue(definition(type, fields), raw, 'properties.field');
  } catch (error) {
    expect(error).toBeInstanceOf(CustosError);
    const custos = error as CustosError;
    expect(custos.kind).toBe('validation');
    expect(custos.options.errors).toEqual([expect.objectContaining({ field: 'properties.field' })]);
    return { code: custos.code, message: custos.options.errors![0].message };
  }
  throw new Error(`${JSON.stringify(raw)} was accepted as ${type}`);
}

const ALL_TYPES: PropertyType[] = [
  'string',
  'number',
  'bool',
  'date',
  'datetime',
  'enumeration',
  'file',
];

describe(normalizeValue.name, () => {
  it.each(ALL_TYPES)('clears a %s value with null or ""', (type) => {
    expect(normalizeValue(definition(type), null, 'f')).toBeNull();
    expect(normalizeValue(definition(type), '', 'f')).toBeNull();
  });

  describe('string and file', () => {
    it.each(['string', 'file'] as const)('keeps %s values as given', (type) => {
      expect(normalizeValue(definition(type), '  Ada  ', 'f')).toBe('  Ada  ');
    });

    it('limits standard strings to their column width and custom strings to 64 KiB', () => {
      const standard = { standard: true };
      expect(
        normalizeValue(definition('string', standard), 'x'.repeat(MAX_STANDARD_STRING_LENGTH), 'f'),
      ).toHaveLength(MAX_STANDARD_STRING_LENGTH);
      expect(refusal('string', 'x'.repeat(MAX_STANDARD_STRING_LENGTH + 1), standard).message).toBe(
        `expected a string of at most ${MAX_STANDARD_STRING_LENGTH} characters`,
      );
      expect(normalizeValue(definition('string'), 'x'.repeat(MAX_STRING_LENGTH), 'f')).toHaveLength(
        MAX_STRING_LENGTH,
      );
      expect(refusal('string', 'x'.repeat(MAX_STRING_LENGTH + 1)).code).toBe('crm.invalid_value');
    });

    it.each(['\u0000', 'Ad\u0000a'])('refuses %j: PostgreSQL text cannot hold a NUL', (raw) => {
      expect(refusal('string', raw)).toEqual({
        code: 'crm.invalid_value',
        message: 'must not contain a NUL character',
      });
    });

    it.each([42, true, {}, ['a']])('refuses the non-string %j', (raw) => {
      expect(refusal('string', raw)).toEqual({
        code: 'crm.invalid_value',
        message: expect.stringMatching(/^expected a string/),
      });
    });
  });

  describe('number', () => {
    it.each<[unknown, number]>([
      [42, 42],
      [-1.5, -1.5],
      [0, 0],
      ['42', 42],
      [' 3.25 ', 3.25],
      ['-7', -7],
      ['1e3', 1000],
    ])('accepts %j as %d', (raw, expected) => {
      expect(normalizeValue(definition('number'), raw, 'f')).toBe(expected);
    });

    it.each(['abc', '12abc', ' ', 'Infinity', Number.NaN, Infinity, true, {}, [1]])(
      'refuses %j, expecting a number',
      (raw) => {
        expect(refusal('number', raw)).toEqual({
          code: 'crm.invalid_value',
          message: 'expected a number',
        });
      },
    );

    it('round-trips every finite number, given as a number or as its string', () => {
      fc.assert(
        fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
          expect(normalizeValue(definition('number'), value, 'f')).toBe(value);
          expect(normalizeValue(definition('number'), String(value), 'f')).toBe(
            Object.is(value, -0) ? 0 : value,
          );
        }),
      );
    });
  });

  describe('bool', () => {
    it.each<[unknown, boolean]>([
      [true, true],
      [false, false],
      ['true', true],
      ['false', false],
    ])('accepts %j', (raw, expected) => {
      expect(normalizeValue(definition('bool'), raw, 'f')).toBe(expected);
    });

    it.each(['yes', 'TRUE', 1, 0, 'x'])('refuses %j', (raw) => {
      expect(refusal('bool', raw).message).toBe('expected a boolean (true or false)');
    });
  });

  describe('date', () => {
    it.each(['2026-11-22', '2024-02-29', '0001-01-01'])('accepts %s', (raw) => {
      expect(normalizeValue(definition('date'), raw, 'f')).toBe(raw);
    });

    it.each([
      'yesterday',
      '2026-2-3',
      '2026-02-30',
      '2025-02-29',
      '2026-13-01',
      '2026-11-22T10:00:00Z',
      '22.11.2026',
      20261122,
    ])('refuses %j, naming the format', (raw) => {
      expect(refusal('date', raw).message).toBe('expected a date (YYYY-MM-DD)');
    });
  });

  describe('datetime', () => {
    it.each([
      ['2026-11-22T18:42:00Z', '2026-11-22T18:42:00.000Z'],
      ['2026-11-22T18:42Z', '2026-11-22T18:42:00.000Z'],
      ['2026-11-22T18:42:00.5Z', '2026-11-22T18:42:00.500Z'],
      ['2026-11-22T20:42:00+02:00', '2026-11-22T18:42:00.000Z'],
      ['2026-11-22T00:30:00-01:00', '2026-11-22T01:30:00.000Z'],
    ])('accepts %s as %s (UTC)', (raw, expected) => {
      expect(normalizeValue(definition('datetime'), raw, 'f')).toBe(expected);
    });

    it.each([
      '2026-11-22',
      '2026-11-22T18:42:00',
      '2026-11-22 18:42:00Z',
      '2026-11-22T25:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-02-30T10:00:00Z',
      'now',
      1_764_000_000_000,
    ])('refuses %j, naming the format with a time zone', (raw) => {
      expect(refusal('datetime', raw).message).toMatch(
        /^expected a date-time \(ISO-8601 with a time zone/,
      );
    });

    it('normalises to a string that sorts like the instant', () => {
      fc.assert(
        fc.property(
          fc.date({
            min: new Date('1970-01-01T00:00:00Z'),
            max: new Date('2200-01-01T00:00:00Z'),
            noInvalidDate: true,
          }),
          fc.date({
            min: new Date('1970-01-01T00:00:00Z'),
            max: new Date('2200-01-01T00:00:00Z'),
            noInvalidDate: true,
          }),
          (a, b) => {
            const x = normalizeValue(definition('datetime'), a.toISOString(), 'f') as string;
            const y = normalizeValue(definition('datetime'), b.toISOString(), 'f') as string;
            expect(x < y).toBe(a.getTime() < b.getTime());
          },
        ),
      );
    });
  });

  describe('enumeration', () => {
    const options = {
      options: [
        { value: 'gold', label: 'Gold' },
        { value: 'silver', label: 'Silver' },
      ],
    };

    it('accepts the value of an option', () => {
      expect(normalizeValue(definition('enumeration', options), 'gold', 'f')).toBe('gold');
    });

    it.each(['Gold', 'bronze', 1, true])('refuses %j, listing the options', (raw) => {
      expect(refusal('enumeration', raw, options).message).toBe('expected one of: gold, silver');
    });
  });

  it.each(['score', 'calculation'] as const)(
    'refuses any %s value: it is computed by the system',
    (type) => {
      expect(refusal(type, 5)).toEqual({
        code: 'crm.read_only_property',
        message: `is a ${type} property, computed by the system`,
      });
    },
  );
});

describe(uniqueKeyOf.name, () => {
  it('folds case, surrounding spaces and compatibility forms of strings', () => {
    expect(uniqueKeyOf(' Ada@Example.COM ')).toBe('ada@example.com');
    expect(uniqueKeyOf('ﬁle')).toBe(uniqueKeyOf('FILE'));
  });

  it('keys numbers and booleans by their JSON', () => {
    expect(uniqueKeyOf(1)).toBe('1');
    expect(uniqueKeyOf(1)).toBe(uniqueKeyOf(1.0));
    expect(uniqueKeyOf(true)).toBe('true');
  });

  it('gives two strings the same key exactly when they match case-insensitively after trimming', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii' }),
        fc.string({ unit: 'grapheme-ascii' }),
        (a, b) => {
          expect(uniqueKeyOf(a) === uniqueKeyOf(b)).toBe(
            a.trim().toLowerCase() === b.trim().toLowerCase(),
          );
        },
      ),
    );
  });
});
