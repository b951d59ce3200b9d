import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import type { ExportCell, ExportColumn, ExportRow } from '../export-source';
import { INJECTION_PAYLOADS } from './testing/injection-payloads';
import { writeExportFile, type ExportFile, type ExportFileOptions, type ExportFormat } from '.';
import { readXlsx, type XlsxCellRead } from './testing/read-xlsx';
import { readZip } from './testing/read-zip';

/** Written here, not imported: what a spreadsheet would evaluate at the start of a cell. */
const EVALUATED =
  // eslint-disable-next-line no-control-regex -- control characters are what these match
  /^[\s\x00-\x1F\x7F\u200B-\u200D\u2060]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\u2212\uFE66\uFE62\uFE63\uFE6B]/;
/** A formula where Excel starts a cell at a `;`: quotes and blanks before it, in any order. */
const AFTER_SEPARATOR =
  // eslint-disable-next-line no-control-regex -- control characters are what these match
  /^['"\s\x00-\x1F\x7F\u200B-\u200D\u2060]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\u2212\uFE66\uFE62\uFE63\uFE6B]/;
/** Evaluated, or starting with a control character a reader may drop (leading quotes looked through). */
const dangerous = (text: string) => {
  const unquoted = text.replace(/^'+/, '');
  return EVALUATED.test(unquoted) || /^[\t\r\n\0]/.test(unquoted);
};
// eslint-disable-next-line no-control-regex -- control characters are what these match
const INVALID_XML = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;
const DAY = 86_400_000;

async function* batchesOf(rows: ExportRow[], size = 2): AsyncGenerator<ExportRow[]> {
  for (let i = 0; i < rows.length; i += size) {
    yield rows.slice(i, i + size);
  }
}

async function bytesOf(file: ExportFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of file.bytes) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function write(
  format: ExportFormat,
  columns: ExportColumn[],
  rows: ExportRow[],
  options: Partial<ExportFileOptions> = {},
): Promise<Buffer> {
  return bytesOf(
    writeExportFile(format, columns, batchesOf(rows), { expectedRows: rows.length, ...options }),
  );
}

function parseCsv(bytes: Buffer): string[][] {
  expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  return parse(bytes, { bom: true, record_delimiter: '\r\n', relax_column_count: false });
}

const column = (name: string, type: ExportColumn['type']): ExportColumn => ({
  name,
  type,
  sensitive: false,
});
const TEXT = [column('value', 'string')];

describe('writeExportFile', () => {
  describe('formula injection', () => {
    const rows = INJECTION_PAYLOADS.map((p) => [p]);

    it('prefixes and quotes every payload in CSV', async () => {
      const bytes = await write('csv', TEXT, rows);
      const text = bytes.toString('utf8');
      for (const payload of INJECTION_PAYLOADS) {
        expect(text).toContain(`\r\n"'${payload.replace(/"/g, '""')}"\r\n`);
      }
      const fields = parseCsv(bytes)
        .slice(1)
        .map((r) => r[0]);
      expect(fields).toEqual(INJECTION_PAYLOADS.map((p) => `'${p}`));
      expect(fields.filter((f) => EVALUATED.test(f))).toEqual([]);
    });

    it('leaves no formula where Excel in a semicolon locale splits the lines at every ";"', async () => {
      const values = INJECTION_PAYLOADS.flatMap((p) => [`x;${p}`, `a,b;"${p}`, `c; '${p}`]);
      const text = (
        await write(
          'csv',
          TEXT,
          values.map((v) => [v]),
        )
      ).toString('utf8');
      const cells = text
        .split('\r\n')
        .flatMap((line) => line.split(';').slice(1))
        // Excel reads a cell that starts with `"` as quoted: what follows the quotes is its text.
        .map((cell) => cell.replace(/^"+/, ''));
      expect(cells.length).toBeGreaterThanOrEqual(values.length);
      expect(cells.filter((cell) => EVALUATED.test(cell))).toEqual([]);
    });

    it('writes every payload as a quoted inline string in XLSX, never a formula', async () => {
      const bytes = await write('xlsx', TEXT, rows);
      const [sheet] = readXlsx(bytes);
      for (const file of readZip(bytes).files) {
        expect(file.content.toString('utf8')).not.toMatch(/<f[\s>/]/);
      }
      // As read: characters XML cannot hold are gone (`\0plain` is read as the harmless `plain`).
      const read = INJECTION_PAYLOADS.map((p) => p.replace(INVALID_XML, ''));
      expect(sheet.rows.slice(1)).toEqual(
        read.map((value) => [
          dangerous(value) ? { type: 'inlineStr', style: 3, value } : { type: 'inlineStr', value },
        ]),
      );
      expect(read.filter((value) => !dangerous(value))).toEqual(['plain']);
    });

    it('leaves payloads as they are in raw mode (strings still, never formulas)', async () => {
      const csv = parseCsv(await write('csv', TEXT, rows, { raw: true }));
      expect(csv.slice(1).map((r) => r[0])).toEqual(INJECTION_PAYLOADS);
      const [sheet] = readXlsx(await write('xlsx', TEXT, rows, { raw: true }));
      expect(sheet.xml).not.toMatch(/<f[\s>/]/);
      expect(sheet.rows.slice(1).map(([cell]) => cell)).toEqual(
        INJECTION_PAYLOADS.map((p) => ({ type: 'inlineStr', value: p.replace(INVALID_XML, '') })),
      );
    });

    it('neutralises a header that looks like a formula', async () => {
      const columns = [column('=1+1', 'string')];
      expect(parseCsv(await write('csv', columns, []))).toEqual([["'=1+1"]]);
      expect(readXlsx(await write('xlsx', columns, []))[0].rows).toEqual([
        [{ type: 'inlineStr', style: 4, value: '=1+1' }],
      ]);
    });
  });

  describe('typed values', () => {
    const columns = [
      column('amount', 'number'),
      column('active', 'boolean'),
      column('birthdate', 'date'),
      column('seen', 'datetime'),
      column('phone', 'string'),
    ];
    const rows: ExportRow[] = [
      [
        -5,
        true,
        new Date(Date.UTC(1990, 1, 3)),
        new Date(Date.UTC(2024, 4, 1, 8, 30, 15, 250)),
        '+33 6 12 34 56 78',
      ],
      [1.5e-7, false, null, null, null],
    ];

    it('writes numbers, booleans and ISO dates as typed values in CSV', async () => {
      expect(parseCsv(await write('csv', columns, rows))).toEqual([
        ['amount', 'active', 'birthdate', 'seen', 'phone'],
        ['-5', 'true', '1990-02-03', '2024-05-01T08:30:15.250Z', "'+33 6 12 34 56 78"],
        ['1.5e-7', 'false', '', '', ''],
      ]);
    });

    it('writes numbers, booleans and date serials with date formats in XLSX', async () => {
      const [sheet] = readXlsx(await write('xlsx', columns, rows));
      expect(sheet.rows[1]).toEqual([
        { type: 'n', value: '-5' },
        { type: 'b', value: '1' },
        { type: 'n', style: 1, value: '32907' },
        { type: 'n', style: 2, value: String(45413 + (8.5 * 3600 + 15.25) / 86400) },
        { type: 'inlineStr', style: 3, value: '+33 6 12 34 56 78' },
      ]);
      expect(sheet.rows[2]).toEqual([
        { type: 'n', value: '1.5e-7' },
        { type: 'b', value: '0' },
        { type: 'empty' },
        { type: 'empty' },
        { type: 'empty' },
      ]);
    });

    it('writes a date before 1 March 1900 as ISO text in XLSX (Excel has no serial for it)', async () => {
      const [sheet] = readXlsx(
        await write('xlsx', [column('founded', 'date')], [[new Date(Date.UTC(1850, 0, 2))]]),
      );
      expect(sheet.rows[1]).toEqual([{ type: 'inlineStr', value: '1850-01-02' }]);
    });

    it.each(['csv', 'xlsx'] as const)(
      'refuses NaN, infinities and invalid dates in %s',
      async (format) => {
        await expect(write(format, [column('n', 'number')], [[NaN]])).rejects.toThrow(
          '"n" holds NaN',
        );
        await expect(write(format, [column('n', 'number')], [[Infinity]])).rejects.toThrow(
          'Infinity',
        );
        await expect(write(format, [column('d', 'datetime')], [[new Date(NaN)]])).rejects.toThrow(
          'invalid date',
        );
      },
    );
  });

  describe('round trip of any typed rows', () => {
    const types = ['string', 'number', 'boolean', 'date', 'datetime'] as const;
    const cellOf: Record<(typeof types)[number], fc.Arbitrary<ExportCell>> = {
      string: fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.string({
          unit: fc.constantFrom(
            "'",
            '=',
            '+',
            '-',
            '@',
            ' ',
            '\t',
            '\r',
            '\n',
            '"',
            ',',
            ';',
            'a',
            '_x0041_',
            '&<>',
          ),
        }),
        fc.constantFrom(...INJECTION_PAYLOADS),
      ),
      number: fc
        .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
        .map((n) => (Object.is(n, -0) ? 0 : n)),
      boolean: fc.boolean(),
      date: fc
        .integer({ min: Date.UTC(1900, 2, 1) / DAY, max: Date.UTC(9999, 11, 31) / DAY })
        .map((day) => new Date(day * DAY)),
      datetime: fc.date({
        min: new Date(Date.UTC(1900, 2, 1)),
        max: new Date(Date.UTC(9999, 11, 31)),
        noInvalidDate: true,
      }),
    };
    const table = fc
      .array(fc.constantFrom(...types), { minLength: 1, maxLength: 5 })
      .chain((columnTypes) =>
        fc.record({
          columns: fc.constant(columnTypes.map((t, i) => column(`c${i}`, t))),
          rows: fc.array(fc.tuple(...columnTypes.map((t) => fc.option(cellOf[t]))), {
            maxLength: 12,
          }),
          rowsPerPart: fc.integer({ min: 1, max: 5 }),
        }),
      );
    /** Empty strings read back as empty cells: CSV cannot tell them from null. */
    const emptyAsNull = (cell: ExportCell) => (cell === '' ? null : cell);

    it('CSV gives back every value once neutralising is undone', async () => {
      // Piece by piece at each `;` (neutralisedText): the first as a cell's start, the others as
      // cells Excel starts there in semicolon locales.
      const unneutralise = (field: string) =>
        field
          .split(';')
          .map((piece, i) =>
            piece.startsWith("'") &&
            (i === 0 ? dangerous(piece.slice(1)) : AFTER_SEPARATOR.test(piece.slice(1)))
              ? piece.slice(1)
              : piece,
          )
          .join(';');
      await fc.assert(
        fc.asyncProperty(table, async ({ columns, rows }) => {
          const read = parseCsv(await write('csv', columns, rows));
          expect(read[0]).toEqual(columns.map((c) => c.name));
          const decoded = read.slice(1).map((fields) =>
            fields.map((field, i): ExportCell => {
              if (field === '') {
                return null;
              }
              switch (columns[i].type) {
                case 'number':
                  return Number(field);
                case 'boolean':
                  return field === 'true';
                case 'date':
                case 'datetime':
                  return new Date(field);
                case 'string':
                  return unneutralise(field);
              }
            }),
          );
          expect(decoded).toEqual(rows.map((row) => row.map(emptyAsNull)));
        }),
        { numRuns: 150 },
      );
    });

    it('XLSX sheets hold every value with its type, split every rowsPerPart rows', async () => {
      const expected = (cell: ExportCell, type: ExportColumn['type']): XlsxCellRead => {
        if (cell === null) {
          return { type: 'empty' };
        }
        switch (typeof cell) {
          case 'number':
            return { type: 'n', value: String(cell) };
          case 'boolean':
            return { type: 'b', value: cell ? '1' : '0' };
          case 'string': {
            const text = cell
              .replace(INVALID_XML, '')
              .replace(/[\uD800-\uDFFF]/g, (c, i: number, s: string) =>
                /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(s.slice(i - 1, i + 1)) ||
                /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(s.slice(i, i + 2))
                  ? c
                  : '',
              );
            return dangerous(text)
              ? { type: 'inlineStr', style: 3, value: text }
              : { type: 'inlineStr', value: text };
          }
          default:
            return {
              type: 'n',
              style: type === 'date' ? 1 : 2,
              value: String(cell.getTime() / DAY + 25569),
            };
        }
      };
      await fc.assert(
        fc.asyncProperty(table, async ({ columns, rows, rowsPerPart }) => {
          const sheets = readXlsx(await write('xlsx', columns, rows, { rowsPerPart }));
          const header = columns.map((c) => ({ type: 'inlineStr', style: 4, value: c.name }));
          const parts = Math.max(1, Math.ceil(rows.length / rowsPerPart));
          expect(sheets.map((s) => s.name)).toEqual(
            Array.from({ length: parts }, (_, i) => `Sheet${i + 1}`),
          );
          sheets.forEach((sheet, i) => {
            const slice = rows.slice(i * rowsPerPart, (i + 1) * rowsPerPart);
            expect(sheet.rows).toEqual([
              header,
              ...slice.map((row) => row.map((cell, j) => expected(cell, columns[j].type))),
            ]);
          });
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('parts', () => {
    const columns = [column('n', 'number')];
    const rows = (count: number): ExportRow[] => Array.from({ length: count }, (_, i) => [i]);

    it('writes a ZIP of CSV parts with the header in each when more rows are expected than a part holds', async () => {
      const file = writeExportFile('csv', columns, batchesOf(rows(7)), {
        expectedRows: 7,
        rowsPerPart: 3,
      });
      expect([file.contentType, file.extension]).toEqual(['application/zip', 'zip']);
      const parts = readZip(await bytesOf(file)).files;
      expect(parts.map((p) => p.name)).toEqual([
        'export-001.csv',
        'export-002.csv',
        'export-003.csv',
      ]);
      expect(parts.map((p) => parseCsv(p.content))).toEqual([
        [['n'], ['0'], ['1'], ['2']],
        [['n'], ['3'], ['4'], ['5']],
        [['n'], ['6']],
      ]);
    });

    it('keeps a single CSV going when more rows arrive than expected', async () => {
      const file = writeExportFile('csv', columns, batchesOf(rows(5)), {
        expectedRows: 3,
        rowsPerPart: 3,
      });
      expect([file.contentType, file.extension]).toEqual(['text/csv; charset=utf-8', 'csv']);
      expect(parseCsv(await bytesOf(file))).toHaveLength(6);
    });

    it('adds parts when more rows arrive than expected, and writes one header-only part when none do', async () => {
      const more = writeExportFile('csv', columns, batchesOf(rows(10)), {
        expectedRows: 4,
        rowsPerPart: 3,
      });
      expect(readZip(await bytesOf(more)).files).toHaveLength(4);
      const none = writeExportFile('csv', columns, batchesOf([]), {
        expectedRows: 4,
        rowsPerPart: 3,
      });
      expect(readZip(await bytesOf(none)).files.map((p) => parseCsv(p.content))).toEqual([[['n']]]);
    });

    it('writes one header-only sheet for an empty XLSX export', async () => {
      expect(readXlsx(await write('xlsx', columns, []))).toMatchObject([
        { name: 'Sheet1', rows: [[{ value: 'n' }]] },
      ]);
    });

    it.each([0, 1_048_576, 2.5])('refuses %s rows per part', (rowsPerPart) => {
      expect(() =>
        writeExportFile('csv', columns, batchesOf([]), { expectedRows: 0, rowsPerPart }),
      ).toThrow(RangeError);
    });
  });

  describe('streaming', () => {
    const columns = [column('text', 'string')];

    /** An endless source that counts the batches read and whether it was closed. */
    function endless() {
      const state = { batches: 0, closed: false };
      const source = (async function* () {
        try {
          for (;;) {
            state.batches += 1;
            yield Array.from({ length: 100 }, (_, i): ExportRow => [
              `row ${state.batches}.${i} ${randomBytes(50).toString('hex')}`,
            ]);
          }
        } finally {
          state.closed = true;
        }
      })();
      return { state, source };
    }

    it.each([
      ['csv', 0],
      ['csv', 10_000_000],
      ['xlsx', 0],
    ] as const)(
      'reads the source only as the %s file is read (expected rows %s), and closes it when the reader stops',
      async (format, expectedRows) => {
        const { state, source } = endless();
        const file = writeExportFile(format, columns, source, { expectedRows });
        let read = 0;
        for await (const chunk of file.bytes) {
          read += chunk.length;
          if (read >= 256 * 1024) {
            break;
          }
        }
        expect(state.closed).toBe(true);
        // 256 KiB of output (deflate halves hex) need ~50 batches of ~11 KiB; buffers hold a few more.
        expect(state.batches).toBeLessThan(200);
      },
    );

    it.each(['csv', 'xlsx'] as const)('fails the %s file when the source fails', async (format) => {
      const failing = (async function* () {
        yield [['a']];
        throw new Error('database gone');
      })();
      await expect(
        bytesOf(writeExportFile(format, columns, failing, { expectedRows: 1 })),
      ).rejects.toThrow('database gone');
    });

    it('refuses a row that does not have one cell per column', async () => {
      await expect(write('csv', columns, [['a', 'b']])).rejects.toThrow('2 cells for 1 columns');
    });
  });
});
