import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ExportColumn, ExportRow } from '../export-source';
import type { RowCursor } from './row-cursor';

/** Rows turned into text at a time: bounds the string a writer builds whatever the source's batch size. */
const ROWS_PER_PIECE = 256;
/** Text is handed on in buffers of about this size (fewer, larger writes to zlib and to the sink). */
const BUFFER_BYTES = 64 * 1024;

/** A `Date` of a `date` column as `YYYY-MM-DD`, any other as ISO 8601 in UTC; invalid dates refused. */
export function isoDate(value: Date, column: ExportColumn): string {
  if (Number.isNaN(value.getTime())) {
    throw new Error(`Export column "${column.name}" holds an invalid date.`);
  }
  const iso = value.toISOString();
  return column.type === 'date' ? iso.slice(0, 10) : iso;
}

/** Numbers must be finite: neither CSV readers nor XLSX have a NaN or an infinity. */
export function finiteNumber(value: number, column: ExportColumn): string {
  if (!Number.isFinite(value)) {
    throw new Error(
      `Export column "${column.name}" holds ${value}, which no file format can hold.`,
    );
  }
  return String(value);
}

/** The text of up to `max` rows from the cursor, in pieces of at most {@link ROWS_PER_PIECE} rows. */
export async function* rowPieces(
  cursor: RowCursor,
  max: number,
  format: (rows: ExportRow[]) => string,
): AsyncGenerator<string> {
  let written = 0;
  while (written < max) {
    if (written > 0) {
      // A turn of the event loop between pieces: the server's other requests are served while a
      // large file is written, whatever the sink (hashing is synchronous, a socket may be fast).
      await nextTurn();
    }
    const rows = await cursor.take(Math.min(max - written, ROWS_PER_PIECE));
    if (!rows) {
      return;
    }
    written += rows.length;
    yield format(rows);
  }
}

/** UTF-8 buffers of about {@link BUFFER_BYTES} from pieces of text. */
export async function* utf8Buffers(pieces: AsyncIterable<string>): AsyncGenerator<Buffer> {
  let pending: string[] = [];
  let length = 0;
  for await (const piece of pieces) {
    pending.push(piece);
    length += piece.length;
    if (length >= BUFFER_BYTES) {
      yield Buffer.from(pending.join(''), 'utf8');
      pending = [];
      length = 0;
    }
  }
  if (length > 0) {
    yield Buffer.from(pending.join(''), 'utf8');
  }
}
