/**
 * Formula injection ("CSV injection", OWASP): a spreadsheet evaluates a text cell that starts with
 * `=`, `+`, `-` or `@` — and, in some, with their full-width or small-form look-alikes, or after
 * leading whitespace, tab, CR, LF or NUL. Such a string is neutralised by a leading single quote.
 *
 * No pattern is exempt: Excel evaluates `+33 6 12 34 56 78` as the formula `=33 6 12 34 56 78` and a
 * string `-5` as the number -5, so a phone number or a signed code held as a string property is
 * written `'+33 6 12 34 56 78` (readable, never run). Numeric and date properties are written as
 * typed values, not strings, so `-5` stays the number -5. In CSV, text after a `;` is neutralised
 * the same way ({@link neutralisedText}): Excel in semicolon locales starts a cell there.
 */

/** `=`, `+`, `-`, `@` and their look-alikes: full-width, small forms, minus sign, heavy plus/minus. */
const FORMULA_START = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B\u2212\u2795\u2796]/;
/** Control characters that some readers drop or treat as a cell start. */
const CONTROL_START = /^[\t\r\n\0]/;
/**
 * What a reader may trim or drop before the first visible character: whitespace (including no-break,
 * ideographic and zero-width spaces, and the BOM), C0 controls and DEL (XML cannot hold most of them,
 * so an XLSX writer removes them and `\u0001=1` becomes `=1`).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const LEADING_BLANKS = /^[\s\x00-\x1F\x7F\u200B-\u200D\u2060]+/;
const LEADING_QUOTES = /^'+/;

/**
 * Whether `value` must be written with a leading `'`. Leading quotes are looked through so that
 * neutralising stays reversible: `'=1` (a value that looks neutralised) is itself written `''=1`,
 * and removing one quote from every neutralised field gives back exactly the original values.
 */
export function needsNeutralising(value: string): boolean {
  if (harmlessStart(value.charCodeAt(0))) {
    return false;
  }
  const unquoted = value.replace(LEADING_QUOTES, '');
  return CONTROL_START.test(unquoted) || FORMULA_START.test(unquoted.replace(LEADING_BLANKS, ''));
}

/**
 * Where Excel starts a cell inside a CSV line besides its commas: in locales whose list separator
 * is `;` (German, French, Italian, Spanish…) Excel opens a `.csv` split at every `;`, quotes or
 * not, so `x;=HYPERLINK(…)` in one comma-separated field puts `=HYPERLINK(…)` in a cell of its own.
 */
const LIST_SEPARATOR = ';';
/** What may stand before a formula in a cell Excel starts at a `;`: quotes of either kind, blanks. */
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const SEGMENT_LEADING = /^['"\s\x00-\x1F\x7F\u200B-\u200D\u2060]+/;

/** Whether the text after a `;` would start a formula there (leading quotes and blanks looked through). */
function startsFormulaAfterSeparator(segment: string): boolean {
  return FORMULA_START.test(segment.replace(SEGMENT_LEADING, ''));
}

/**
 * A string as a CSV cell's text: a leading `'` where {@link needsNeutralising} says, and one
 * after every `;` whose text would start a formula where Excel splits at `;`. Reversible as
 * `needsNeutralising` is, piece by piece: split at `;`, remove one leading quote from the first
 * piece when the rest still needs neutralising, and from each later piece when the rest still
 * starts a formula after a separator.
 */
export function neutralisedText(value: string): string {
  const text = needsNeutralising(value) ? `'${value}` : value;
  if (!text.includes(LIST_SEPARATOR)) {
    return text;
  }
  const pieces = text.split(LIST_SEPARATOR);
  for (let i = 1; i < pieces.length; i++) {
    if (startsFormulaAfterSeparator(pieces[i])) {
      pieces[i] = `'${pieces[i]}`;
    }
  }
  return pieces.join(LIST_SEPARATOR);
}

/**
 * Printable ASCII other than space, `'` and the four formula starts: a value that starts with one
 * needs no look further (most do; it spares the patterns above, the writers' cost per cell).
 */
function harmlessStart(code: number): boolean {
  return (
    code > 0x20 &&
    code < 0x7f &&
    code !== 0x27 && // '
    code !== 0x3d && // =
    code !== 0x2b && // +
    code !== 0x2d && // -
    code !== 0x40 // @
  );
}
