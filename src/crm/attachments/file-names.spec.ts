import fc from 'fast-check';
import { contentDisposition, sanitizeContentType, sanitizeFileName } from './file-names';

describe(sanitizeFileName.name, () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\scan.png', 'scan.png'],
    ['evil\u202Etxt.exe', 'eviltxt.exe'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['.hidden', 'hidden'],
    ['', 'file'],
    [undefined, 'file'],
    ['../', 'file'],
    ['Überweisung März.pdf', 'Überweisung März.pdf'],
  ])('keeps %j as %j', (raw, kept) => {
    expect(sanitizeFileName(raw)).toBe(kept);
  });

  it('shortens long names to 255 characters, keeping the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(400)}.pdf`);
    expect([...name]).toHaveLength(255);
    expect(name.endsWith('.pdf')).toBe(true);
  });

  it('never leaves a path separator, a control character or more than 255 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (raw) => {
        const name = sanitizeFileName(raw);
        expect(name).not.toMatch(/[/\\\p{Cc}\p{Cf}]/u);
        expect(name.length).toBeGreaterThan(0);
        expect([...name].length).toBeLessThanOrEqual(255);
        expect(name.startsWith('.')).toBe(false);
      }),
    );
  });
});

describe(sanitizeContentType.name, () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['Text/Plain; charset=utf-8', 'text/plain'],
    ['text/html\r\nX-Evil: 1', 'application/octet-stream'],
    ['nonsense', 'application/octet-stream'],
    [undefined, 'application/octet-stream'],
  ])('takes %j as %j', (raw, type) => {
    expect(sanitizeContentType(raw)).toBe(type);
  });
});

describe(contentDisposition.name, () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('Überweisung "März".pdf')).toBe(
      `attachment; filename="_berweisung _M_rz_.pdf"; filename*=UTF-8''%C3%9Cberweisung%20%22M%C3%A4rz%22.pdf`,
    );
  });

  it('is always a single header line whose encoded name decodes back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        const name = sanitizeFileName(raw);
        const header = contentDisposition(name);
        expect(header).toMatch(/^[\x20-\x7e]+$/);
        const encoded = /filename\*=UTF-8''(.*)$/.exec(header)![1];
        expect(decodeURIComponent(encoded)).toBe(name);
      }),
    );
  });
});
