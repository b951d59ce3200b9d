import { createHash } from 'node:crypto';
import type { LookupItem } from '../lookup/subject-lookup';
import { itemId, packageContents, type PackageHeader } from './package-contents';

const header: PackageHeader = {
  subject: { email: 'ada@example.com', name: 'Ada Lovelace', contactId: 'c1' },
  request: { id: 'r1', type: 'access' },
  packageId: 'p1',
  generatedAt: new Date('2026-12-06T00:00:00.000Z'),
  redactions: 1,
};

const field = (name: string, category: string, extra: Record<string, unknown> = {}) => ({
  field: name,
  category: category as LookupItem['fields'][number]['category'],
  matched: false,
  held: true,
  sealed: false,
  file: false,
  ...extra,
});

const items: LookupItem[] = [
  {
    source: 'crm.contact',
    table: 'crm_contact',
    rowId: 'c1',
    bySubject: true,
    fields: [
      field('email', 'user.contact.email', { value: 'ada@example.com' }),
      field('phone', 'user.contact.phone_number', { value: '+44 20 7946 0001' }),
      field('custom.diagnosis', 'user.health', { sealed: true, withheld: true }),
      field('city', 'user.contact.address.city', { held: false }),
    ],
  },
  {
    source: 'crm.attachment',
    table: 'crm_attachment',
    rowId: 'a1',
    bySubject: true,
    fields: [
      field('file_name', 'user.content.private', { value: '=HYPERLINK("x")' }),
      field('storage_key', 'user.content.private', { file: true }),
    ],
  },
  {
    source: 'exports.export',
    table: 'custos_export',
    rowId: 'e1',
    bySubject: false,
    fields: [field('requester_label', 'user.name', { value: 'Ada Lovelace' })],
  },
];

describe('packageContents', () => {
  const contents = packageContents(header, items);
  const files = new Map(contents.files.map((f) => [f.name, f.content.toString('utf8')]));

  it('starts with a manifest naming every other file with its SHA-256', () => {
    expect(contents.files[0].name).toBe('manifest.json');
    const manifest = JSON.parse(files.get('manifest.json')!) as {
      items: number;
      redactions: number;
      withheld: number;
      categories: Record<string, number>;
      files: { name: string; sha256: string; bytes: number }[];
    };
    expect(manifest).toMatchObject({ items: 3, redactions: 1, withheld: 1 });
    expect(manifest.categories).toEqual({
      'user.contact.email': 1,
      'user.contact.phone_number': 1,
      'user.content.private': 2,
      'user.health': 1,
      'user.name': 1,
    });
    expect(manifest.files.map((f) => f.name)).toEqual(contents.files.slice(1).map((f) => f.name));
    for (const file of manifest.files) {
      const content = contents.files.find((f) => f.name === file.name)!.content;
      expect(file).toEqual({
        name: file.name,
        bytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
      });
    }
  });

  it('writes a JSON per category: values, withheld values without them, files by reference', () => {
    expect(JSON.parse(files.get('categories/user.contact.email.json')!)).toEqual([
      {
        item: 'crm.contact:c1',
        source: 'crm.contact',
        rowId: 'c1',
        field: 'email',
        value: 'ada@example.com',
      },
    ]);
    expect(JSON.parse(files.get('categories/user.health.json')!)).toEqual([
      {
        item: 'crm.contact:c1',
        source: 'crm.contact',
        rowId: 'c1',
        field: 'custom.diagnosis',
        withheld: true,
      },
    ]);
    expect(files.get('categories/user.content.private.json')).toContain('"file":true');
    // Not held: no entry, no file.
    expect(files.has('categories/user.contact.address.city.json')).toBe(false);
  });

  it('writes a CSV per source with cells neutralised for spreadsheets', () => {
    const [head, row] = files.get('entities/crm.contact.csv')!.split('\r\n');
    expect(head).toBe('item,rowId,email,phone,custom.diagnosis,city,withheld');
    expect(row).toBe("crm.contact:c1,c1,ada@example.com,'+44 20 7946 0001,,,custom.diagnosis");
    expect(files.get('entities/crm.attachment.csv')).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('lists the recipients from the recipient sources', () => {
    expect(JSON.parse(files.get('recipients.json')!)).toEqual([
      { source: 'exports.export', rowId: 'e1', requester_label: 'Ada Lovelace' },
    ]);
  });

  it('copies stored files under files/, with names safe to unzip, listed in the manifest', () => {
    const copied = packageContents(
      header,
      items,
      new Map([
        ['crm.attachment:a1', { name: '../../etc/pass wd', content: Buffer.from('notes') }],
      ]),
    );
    const name = 'files/a1-__.._etc_pass_wd';
    const file = copied.files.find((f) => f.name === name);
    expect(file?.content.toString('utf8')).toBe('notes');
    const manifest = JSON.parse(copied.files[0].content.toString('utf8')) as {
      copies: number;
      files: { name: string; sha256: string }[];
    };
    expect(manifest.copies).toBe(1);
    expect(manifest.files.find((f) => f.name === name)?.sha256).toBe(
      createHash('sha256').update('notes').digest('hex'),
    );
    const entries = JSON.parse(
      copied.files
        .find((f) => f.name === 'categories/user.content.private.json')!
        .content.toString(),
    ) as { field: string; copy?: string }[];
    expect(entries.find((e) => e.field === 'storage_key')?.copy).toBe(name);
  });

  it('names items by source and row', () => {
    expect(itemId(items[1])).toBe('crm.attachment:a1');
  });
});
