import type { ExportCell, ExportColumn, ExportRow } from '../export-source';
import { finiteNumber, isoDate, rowPieces, utf8Buffers } from './cells';
import { neutralisedText } from './formula-neutralising';
import type { RowCursor } from './row-cursor';
import { zipArchive, type ZipEntry } from './zip-writer';

/** A byte order mark, so that Excel reads the file as UTF-8 (accents), then CRLF line ends (RFC 4180). */
const BOM = '\uFEFF';
const CRLF = '\r\n';
const MUST_QUOTE = /[",\r\n]/;
const QUOTE = /"/g;

/**
 * One CSV field (RFC 4180). Numbers, booleans and dates are written as typed values (`-5`, `true`,
 * `2024-05-01`, `2024-05-01T08:30:00.000Z`); a string a spreadsheet would evaluate — at its start,
 * or after a `;` where Excel splits lines at `;` — gets a `'` there and is quoted (OWASP), unless `raw`.
 */
function csvField(value: ExportCell, column: ExportColumn, raw: boolean): string {
  if (value === null) {
    return '';
  }
  switch (typeof value) {
    case 'number':
      return finiteNumber(value, column);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string': {
      const text = raw ? value : neutralisedText(value);
      return text !== value || MUST_QUOTE.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;
    }
    default:
      return isoDate(value, column);
  }
}

function csvLine(cells: ExportCell[], columns: ExportColumn[], raw: boolean): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    line +=
      i === 0 ? csvField(cells[i], columns[i], raw) : `,${csvField(cells[i], columns[i], raw)}`;
  }
  return line + CRLF;
}

/** The BOM, the header line (column names, neutralised like any string) and up to `max` rows. */
async function* csvText(
  columns: ExportColumn[],
  cursor: RowCursor,
  max: number,
  raw: boolean,
): AsyncGenerator<string> {
  const header = columns.map((column) => column.name);
  yield BOM + csvLine(header, columns, raw);
  yield* rowPieces(cursor, max, (rows: ExportRow[]) => {
    let text = '';
    for (const row of rows) {
      text += csvLine(row, columns, raw);
    }
    return text;
  });
}

/** One CSV file of every row the cursor yields. */
export function csvFile(
  columns: ExportColumn[],
  cursor: RowCursor,
  raw: boolean,
): AsyncGenerator<Buffer> {
  return utf8Buffers(csvText(columns, cursor, Infinity, raw));
}

/** A ZIP of CSV parts (`export-001.csv`, …) of `rowsPerPart` rows each, each with the header. */
export function csvParts(
  columns: ExportColumn[],
  cursor: RowCursor,
  rowsPerPart: number,
  raw: boolean,
): AsyncGenerator<Buffer> {
  return zipArchive(
    (async function* (): AsyncGenerator<ZipEntry> {
      let part = 0;
      do {
        part += 1;
        yield {
          name: `export-${String(part).padStart(3, '0')}.csv`,
          content: utf8Buffers(csvText(columns, cursor, rowsPerPart, raw)),
        };
      } while (await cursor.hasMore());
    })(),
  );
}
