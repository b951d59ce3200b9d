import fc from 'fast-check';
import { needsNeutralising, neutralisedText } from './formula-neutralising';
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

  it('answers as the patterns alone do, whatever the first character (the ASCII shortcut)', () => {
    // The rule as first written, without the shortcut for a harmless first character.
    // eslint-disable-next-line no-control-regex -- control characters are what it matches
    const blanks = /^[\s\x00-\x1F\x7F\u200B-\u200D\u2060]+/;
    const formula = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B\u2212\u2795\u2796]/;
    const byPatterns = (value: string) => {
      const unquoted = value.replace(/^'+/, '');
      return /^[\t\r\n\0]/.test(unquoted) || formula.test(unquoted.replace(blanks, ''));
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 2 }),
          fc.string({ unit: 'grapheme-ascii', maxLength: 2 }),
        ),
        fc.string({ unit: fc.constantFrom('=', '+', '-', '@', "'", ' ', '\t', 'a'), maxLength: 4 }),
        (first, rest) => {
          const value = first + rest;
          expect(needsNeutralising(value)).toBe(byPatterns(value));
        },
      ),
    );
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

describe('neutralisedText', () => {
  /** Written here, not imported: where a formula starts, quotes and blanks before it looked through. */
  const FORMULA =
    // eslint-disable-next-line no-control-regex -- control characters are what it matches
    /^['"\s\x00-\x1F\x7F\u200B-\u200D\u2060]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\u2212\uFE66\uFE62\uFE63\uFE6B]/;
  /** The cells Excel starts at each `;` of a text, as it does where `;` is the list separator. */
  const afterSemicolons = (text: string) => text.split(';').slice(1);

  it.each(INJECTION_PAYLOADS.map((p) => [JSON.stringify(p), p]))(
    'neutralises %s after a semicolon too (Excel in semicolon locales starts a cell there)',
    (_, payload) => {
      for (const value of [`x;${payload}`, `a,b;c;${payload}`, `x;"${payload}`, `x; '${payload}`]) {
        const text = neutralisedText(value);
        expect(
          afterSemicolons(text).filter((cell) => FORMULA.test(cell) && !/^'/.test(cell)),
        ).toEqual([]);
      }
    },
  );

  it.each(['a;b', '5;3', 'x; y', 'a;;b', 'Rue de la Paix; Paris', "O'Brien;Zoë"])(
    'leaves %s as it is',
    (value) => {
      expect(neutralisedText(value)).toBe(value);
    },
  );

  it('is reversible piece by piece: one quote off every neutralised piece gives the original back', () => {
    const unneutralise = (text: string) =>
      text
        .split(';')
        .map((piece, i) =>
          piece.startsWith("'") &&
          (i === 0 ? needsNeutralising(piece.slice(1)) : FORMULA.test(piece.slice(1)))
            ? piece.slice(1)
            : piece,
        )
        .join(';');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({
            unit: fc.constantFrom("'", '"', ';', '=', '+', '-', '@', ' ', '\t', 'a', '\uFF1D'),
          }),
          fc.string({ unit: 'binary' }),
        ),
        (value) => {
          expect(unneutralise(neutralisedText(value))).toBe(value);
        },
      ),
    );
  });
});
