import { createHash } from 'node:crypto';
import { csvCell } from '../csv-cell';
import type { SubjectFile } from '../lookup/sealed-value-probes.port';
import type { LookupItem } from '../lookup/subject-lookup';
import type { PrivacyRequestType } from '../requests/privacy-request.types';

/**
 * Registered sources whose rows record that the subject's data went to someone (Art. 15(1)(c),
 * Art. 19): exports (the export log) and `exports.carried`, which exports carried which record —
 * listed when registered (a source that is not is simply not found).
 */
export const RECIPIENT_SOURCES: readonly string[] = ['exports.export', 'exports.carried'];

/**
 * What a portability package (Art. 20) carries: the data the subject provided — the contact's own
 * properties (standard and custom). Access packages (Art. 15) carry every registered place.
 */
export const PORTABLE_SOURCES: readonly string[] = ['crm.contact'];

/** An item's stable id within its package. */
export function itemId(item: { source: string; rowId: string }): string {
  return `${item.source}:${item.rowId}`;
}

export interface PackageFile {
  name: string;
  content: Buffer;
}

export interface PackageContents {
  /** `manifest.json` first, then the categories, the entities and the recipients. */
  files: PackageFile[];
  /** Item counts per category (for the audit and the API). */
  categories: Record<string, number>;
  withheld: number;
}

export interface PackageHeader {
  subject: { email: string | null; name: string | null; contactId: string | null };
  request: { id: string; type: PrivacyRequestType };
  packageId: string;
  generatedAt: Date;
  /** Items the operator redacted (absent from the files). */
  redactions: number;
}

/**
 * The files of a package from the items it carries (values read as the operator may see them):
 * one JSON per fideslang category (an entry per field held: its value, or `withheld`, or `file`
 * with the name of its `copy`), one CSV per registered source (a row per item, a column per
 * field), the copies of stored files (`files/<row id>-<name>`, by item id in `copies`), the
 * recipients (items of {@link RECIPIENT_SOURCES}), and `manifest.json` with counts and the
 * SHA-256 of every other file.
 */
export function packageContents(
  header: PackageHeader,
  items: LookupItem[],
  copies: ReadonlyMap<string, SubjectFile> = new Map(),
): PackageContents {
  const copyNames = new Map(
    [...copies].map(([id, file]) => {
      const rowId = id.slice(id.indexOf(':') + 1);
      return [id, `files/${safeName(rowId)}-${safeName(file.name)}`];
    }),
  );
  const byCategory = new Map<string, unknown[]>();
  const bySource = new Map<string, LookupItem[]>();
  let withheld = 0;
  for (const item of items) {
    const own = bySource.get(item.source) ?? [];
    own.push(item);
    bySource.set(item.source, own);
    for (const field of item.fields.filter((f) => f.held)) {
      const entry: Record<string, unknown> = {
        item: itemId(item),
        source: item.source,
        rowId: item.rowId,
        field: field.field,
      };
      if (field.withheld) {
        entry.withheld = true;
        withheld += 1;
      } else if (field.file) {
        entry.file = true;
        // Absent when the operator may not read the file: its reference tells that it exists.
        const copy = copyNames.get(itemId(item));
        if (copy) {
          entry.copy = copy;
        }
      } else {
        entry.value = field.value ?? null;
      }
      const list = byCategory.get(field.category) ?? [];
      list.push(entry);
      byCategory.set(field.category, list);
    }
  }
  const files: PackageFile[] = [];
  const categories: Record<string, number> = {};
  for (const [category, entries] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
    categories[category] = entries.length;
    files.push(jsonLines(`categories/${category}.json`, entries));
  }
  for (const [source, own] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    files.push({ name: `entities/${source}.csv`, content: Buffer.from(csvOf(own), 'utf8') });
  }
  for (const [id, name] of copyNames) {
    files.push({ name, content: copies.get(id)!.content });
  }
  files.push(
    jsonLines(
      'recipients.json',
      items
        .filter((item) => RECIPIENT_SOURCES.includes(item.source))
        .map((item) => ({
          source: item.source,
          rowId: item.rowId,
          ...Object.fromEntries(
            item.fields
              .filter((f) => f.held && !f.withheld && !f.file)
              .map((f) => [f.field, f.value ?? null]),
          ),
        })),
    ),
  );
  const manifest = {
    subject: header.subject,
    request: header.request,
    package: header.packageId,
    generatedAt: header.generatedAt.toISOString(),
    items: items.length,
    itemsPerSource: Object.fromEntries([...bySource].map(([source, own]) => [source, own.length])),
    categories,
    redactions: header.redactions,
    withheld,
    copies: copyNames.size,
    recipientSources: RECIPIENT_SOURCES,
    files: files.map((file) => ({
      name: file.name,
      bytes: file.content.length,
      sha256: createHash('sha256').update(file.content).digest('hex'),
    })),
  };
  return { files: [json('manifest.json', manifest), ...files], categories, withheld };
}

/** A name safe in any unzipping tool: no path, no leading dot, at most 100 characters. */
function safeName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '_')
    .slice(-100);
  return safe === '' ? 'file' : safe;
}

function json(name: string, value: unknown): PackageFile {
  return { name, content: Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8') };
}

/** A JSON array with one entry per line: readable, and a tenth of the cost of indenting 10,000s. */
function jsonLines(name: string, entries: unknown[]): PackageFile {
  const lines = entries.map((entry) => JSON.stringify(entry)).join(',\n');
  return { name, content: Buffer.from(`[\n${lines}\n]\n`, 'utf8') };
}

/** A row per item: its id, then every field of the source (empty where not held or withheld). */
function csvOf(items: LookupItem[]): string {
  const names = [...new Set(items.flatMap((item) => item.fields.map((f) => f.field)))];
  const lines = [['item', 'rowId', ...names, 'withheld'].map(csvCell).join(',')];
  for (const item of items) {
    const fields = new Map(item.fields.map((f) => [f.field, f]));
    const cells = names.map((name) => {
      const field = fields.get(name);
      if (!field?.held || field.withheld || field.file) {
        return '';
      }
      return cellText(field.value);
    });
    const withheld = item.fields.filter((f) => f.withheld).map((f) => f.field);
    lines.push([itemId(item), item.rowId, ...cells, withheld.join(' ')].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
