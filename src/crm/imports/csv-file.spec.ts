import { createReadStream, mkdtempSync, rmSync, writeFileSync, type ReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFormatError, csvField, inspectCsv, readCsv } from './csv-file';

describe('csv-file', () => {
  let dir: string;
  let counter = 0;

  const file = (content: string): ReadStream => {
    counter += 1;
    const path = join(dir, `${counter}.csv`);
    writeFileSync(path, content, 'utf8');
    return createReadStream(path);
  };

  const records = async (content: string): Promise<string[][]> => {
    const result: string[][] = [];
    for await (const record of readCsv(file(content))) {
      result.push(record);
    }
    return result;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'custos-csv-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads quoted fields with commas, escaped quotes and line breaks', async () => {
    await expect(records('a,b\n"x, y","say ""hi""\nthere"\n')).resolves.toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
  });

  it('accepts CRLF, a byte order mark and a last line without a line break', async () => {
    await expect(records('\uFEFFa,b\r\n1,2\r\n3,4')).resolves.toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('skips blank lines and rows whose cells are all empty', async () => {
    await expect(records('a,b\n\n1,2\n,\n\n3,4\n')).resolves.toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps rows with another number of cells than the header, for the caller to report', async () => {
    await expect(records('a,b\n1\n1,2,3\n')).resolves.toEqual([['a', 'b'], ['1'], ['1', '2', '3']]);
  });

  it('counts data rows and trims header names', async () => {
    await expect(inspectCsv(file(' Email , Name\nx,y\n"a\nb",c\n'))).resolves.toEqual({
      header: ['Email', 'Name'],
      rows: 2,
    });
  });

  it('refuses an unclosed quote naming the line, not the content', async () => {
    const error = await inspectCsv(file('a\n1\n"secret value\n2\n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvFormatError);
    expect((error as Error).message).toMatch(/^line \d+: a quoted field is never closed$/);
  });

  it('refuses an empty file', async () => {
    await expect(inspectCsv(file(''))).rejects.toThrow(CsvFormatError);
  });

  it('writes fields as RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(null)).toBe('');
    expect(csvField(-3)).toBe('-3');
  });
});
