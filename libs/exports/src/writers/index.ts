/**
 * The streaming file writers of exports: CSV (one file, or a ZIP of parts) and XLSX, produced as the
 * source's batches are consumed. Internal to the lib; the export runner stores `bytes` in the file
 * store as they come, so a file of any size costs a few buffers of memory.
 */
import type { ExportColumn, ExportRow } from '../export-source';
import { csvFile, csvParts } from './csv';
import { RowCursor } from './row-cursor';
import { xlsxWorkbook } from './xlsx';

export type ExportFormat = 'csv' | 'xlsx';

/** Excel's 1,048,576 rows per sheet, less the header. */
export const MAX_ROWS_PER_SHEET = 1_048_575;

export interface ExportFileOptions {
  /** Rows the export expects (planned count at run start): decides a single file vs. parts. */
  expectedRows: number;
  /** Data rows per sheet / per CSV part; default 1,048,575 (Excel's 1,048,576 rows incl. header). */
  rowsPerPart?: number;
  /** Explicit, audited data-transfer mode: no formula neutralisation. Never the default. */
  raw?: boolean;
}

export interface ExportFile {
  /** `text/csv; charset=utf-8`, the XLSX type, or `application/zip` (CSV parts). */
  contentType: string;
  /** `csv`, `xlsx` or `zip`. */
  extension: string;
  /** The file, produced as rows are consumed (back-pressure respected); `return()` stops the source. */
  bytes: AsyncIterable<Buffer>;
}

/**
 * The export file of `batches` in `format`.
 *
 * - XLSX: one workbook; a further sheet (with the header) every `rowsPerPart` rows, however many
 *   rows arrive.
 * - CSV: a single file when `expectedRows` fits in one part, else a ZIP of parts with the header in
 *   each. The choice is made before the first byte (it decides the file's type), from the planned
 *   count. When more rows arrive than planned (records created during the export), the file's type
 *   stays: a ZIP simply gets more parts, and a single CSV keeps every row past `rowsPerPart` — a
 *   CSV has no row limit, nothing is dropped, and only a spreadsheet's view of the file is cut (the
 *   overflow is at most what was created while the export ran). Failing the export instead would
 *   lose a correct file; starting parts would need a type the response has already announced.
 *
 * Strings a spreadsheet would evaluate as formulas are neutralised unless `raw` (see
 * formula-neutralising.ts); no formula is ever written to an XLSX file.
 */
export function writeExportFile(
  format: ExportFormat,
  columns: ExportColumn[],
  batches: AsyncIterable<ExportRow[]>,
  options: ExportFileOptions,
): ExportFile {
  const rowsPerPart = options.rowsPerPart ?? MAX_ROWS_PER_SHEET;
  if (!Number.isSafeInteger(rowsPerPart) || rowsPerPart < 1 || rowsPerPart > MAX_ROWS_PER_SHEET) {
    throw new RangeError(
      `rowsPerPart must be a whole number from 1 to ${MAX_ROWS_PER_SHEET} (a sheet's rows less the header); got ${rowsPerPart}.`,
    );
  }
  if (columns.length === 0) {
    throw new RangeError('An export file needs at least one column.');
  }
  const raw = options.raw === true;
  switch (format) {
    case 'xlsx':
      return {
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        extension: 'xlsx',
        bytes: closing(batches, columns, (cursor) =>
          xlsxWorkbook(columns, cursor, rowsPerPart, raw),
        ),
      };
    case 'csv':
      return options.expectedRows <= rowsPerPart
        ? {
            contentType: 'text/csv; charset=utf-8',
            extension: 'csv',
            bytes: closing(batches, columns, (cursor) => csvFile(columns, cursor, raw)),
          }
        : {
            contentType: 'application/zip',
            extension: 'zip',
            bytes: closing(batches, columns, (cursor) =>
              csvParts(columns, cursor, rowsPerPart, raw),
            ),
          };
  }
}

/** The writer's bytes; the source is closed when they end, fail or are abandoned. */
async function* closing(
  batches: AsyncIterable<ExportRow[]>,
  columns: ExportColumn[],
  write: (cursor: RowCursor) => AsyncIterable<Buffer>,
): AsyncGenerator<Buffer> {
  const cursor = new RowCursor(batches, columns.length);
  try {
    yield* write(cursor);
  } finally {
    await cursor.close();
  }
}
