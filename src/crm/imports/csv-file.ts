import type { Readable } from 'node:stream';
import { CsvError, parse, type Options } from 'csv-parse';
import { importErrors } from './imports.errors';

/**
 * RFC 4180 as spreadsheets write it: comma-separated, `"`-quoted fields with `""` escapes and
 * embedded line breaks, CRLF or LF, an optional UTF-8 byte order mark. Blank lines and rows whose
 * cells are all empty are not records. Records may have any number of cells: a row whose count
 * differs from the header's is reported as that row's error rather than failing the file.
 */
const CSV_OPTIONS: Options = {
  bom: true,
  delimiter: ',',
  quote: '"',
  escape: '"',
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_empty_values: true,
  // One runaway quoted field must not hold the rest of the file in memory.
  max_record_size: 4 * 1024 * 1024,
};

/** Why the file cannot be read as CSV at all; the message names the line, never its content. */
export class CsvFormatError extends Error {
  constructor(
    readonly line: number | null,
    reason: string,
  ) {
    super(line === null ? reason : `line ${line}: ${reason}`);
    this.name = 'CsvFormatError';
  }
}

function describe(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a closing quote is followed by something other than a comma or a line break (write quotes inside a field as "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote appears inside an unquoted field (quote the field and write the quote as "")';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a row is larger than 4 MB';
    default:
      return 'the file is not valid CSV';
  }
}

function toFormatError(error: unknown): unknown {
  if (error instanceof CsvError) {
    const line = typeof error.lines === 'number' ? error.lines : null;
    return new CsvFormatError(line, describe(error));
  }
  return error;
}

/**
 * The records of a CSV file, header included, streamed: only one chunk of the file and one
 * record are in memory at a time. Throws {@link CsvFormatError} when the file is not CSV.
 */
export async function* readCsv(source: Readable): AsyncGenerator<string[]> {
  const parser = parse(CSV_OPTIONS);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser) {
      yield record as string[];
    }
  } catch (error) {
    throw toFormatError(error);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** The header row (names trimmed) and the number of data rows of a CSV file. */
export async function inspectCsv(source: Readable): Promise<{ header: string[]; rows: number }> {
  let header: string[] | undefined;
  let rows = 0;
  for await (const record of readCsv(source)) {
    if (header === undefined) {
      header = record.map((name) => name.trim());
    } else {
      rows += 1;
    }
  }
  if (header === undefined) {
    throw new CsvFormatError(null, 'the file is empty; it needs a header row naming its columns');
  }
  return { header, rows };
}

/** {@link inspectCsv} for an uploaded file: a format error is a 422 naming `file`. */
export async function inspectUpload(source: Readable): Promise<{ header: string[]; rows: number }> {
  try {
    return await inspectCsv(source);
  } catch (error) {
    if (error instanceof CsvFormatError) {
      throw importErrors.invalidCsv(error.message);
    }
    throw error;
  }
}

/**
 * One field of a CSV file we write: quoted when it holds a comma, quote or line break (RFC 4180);
 * text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`.
 */
export function csvField(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
