import fc from 'fast-check';
import { needsNeutralising } from './formula-neutralising';
import { INJECTION_PAYLOADS } from './testing/injection-payloads';

const HARMLESS = [
  'Zoë',
  'ACME, Inc.',
  '06 12 34 56 78',
  '5-3',
  'a=b',
  "O'Brien",
  "'quoted",
  '',
  ' ',
  'x@y.z',
  " '@x",
];

describe('needsNeutralising', () => {
  it.each(INJECTION_PAYLOADS.map((p) => [JSON.stringify(p), p]))('neutralises %s', (_, payload) => {
    expect(needsNeutralising(payload)).toBe(true);
  });

  it.each(HARMLESS.map((p) => [JSON.stringify(p), p]))('leaves %s as it is', (_, value) => {
    expect(needsNeutralising(value)).toBe(false);
  });

  it('is reversible: one quote off every neutralised value gives the original back', () => {
    const unneutralise = (field: string) =>
      field.startsWith("'") && needsNeutralising(field.slice(1)) ? field.slice(1) : field;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({
            unit: fc.constantFrom("'", '=', '+', '-', '@', ' ', '\t', 'a', '1', '\uFF1D'),
          }),
          fc.string({ unit: 'binary' }),
        ),
        (value) => {
          const written = needsNeutralising(value) ? `'${value}` : value;
          expect(unneutralise(written)).toBe(value);
        },
      ),
    );
  });
});
