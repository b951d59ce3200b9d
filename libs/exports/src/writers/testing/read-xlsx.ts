import { readZip } from './read-zip';

/** A cell as read back: its type attribute, style index and value. */
export interface XlsxCellRead {
  /** `inlineStr`, `n`, `b`, or `empty` for `<c/>`. */
  type: string;
  style?: number;
  /** Text of an inline string (XML and `_xHHHH_` escapes decoded), or the `<v>` text. */
  value?: string;
}

export interface XlsxSheetRead {
  name: string;
  /** The sheet's XML as written. */
  xml: string;
  rows: XlsxCellRead[][];
}

const PARTS = [
  '[Content_Types].xml',
  '_rels/.rels',
  'xl/styles.xml',
  'xl/workbook.xml',
  'xl/_rels/workbook.xml.rels',
];

/**
 * Reads a workbook this lib wrote (tests only): the ZIP (checked by readZip), the parts every
 * workbook needs, the sheets in workbook order, and their rows and cells. Only the shapes the writer
 * produces are understood; anything else throws.
 */
export function readXlsx(file: Buffer): XlsxSheetRead[] {
  const parts = new Map(readZip(file).files.map((f) => [f.name, f.content.toString('utf8')]));
  for (const part of PARTS) {
    if (!parts.has(part)) {
      throw new Error(`the workbook has no ${part}`);
    }
  }
  const relationships = new Map(
    [...parts.get('xl/_rels/workbook.xml.rels')!.matchAll(/Id="(\w+)"[^>]* Target="([^"]+)"/g)].map(
      (m) => [m[1], `xl/${m[2]}`],
    ),
  );
  return [
    ...parts
      .get('xl/workbook.xml')!
      .matchAll(/<sheet name="([^"]+)" sheetId="\d+" r:id="(\w+)"\/>/g),
  ].map(([, name, id]) => {
    const xml = parts.get(relationships.get(id) ?? '');
    if (xml === undefined) {
      throw new Error(`sheet ${name} has no part`);
    }
    return { name, xml, rows: sheetRows(xml) };
  });
}

function sheetRows(xml: string): XlsxCellRead[][] {
  const data = /<sheetData>(.*)<\/sheetData>/s.exec(xml);
  if (!data) {
    throw new Error('a sheet without sheetData');
  }
  const rows: XlsxCellRead[][] = [];
  const rowPattern = /<row r="(\d+)">(.*?)<\/row>/gs;
  let consumed = 0;
  for (const row of data[1].matchAll(rowPattern)) {
    if (row.index !== consumed || Number(row[1]) !== rows.length + 1) {
      throw new Error(`unexpected content before row ${row[1]}`);
    }
    consumed += row[0].length;
    rows.push(cells(row[2]));
  }
  if (consumed !== data[1].length) {
    throw new Error('unexpected content after the last row');
  }
  return rows;
}

function cells(row: string): XlsxCellRead[] {
  const cellPattern =
    /<c\/>|<c(?: t="(\w+)")?(?: s="(\d+)")?>(?:<is><t(?: xml:space="preserve")?>(.*?)<\/t><\/is>|<v>([^<]*)<\/v>)<\/c>/gs;
  const read: XlsxCellRead[] = [];
  let consumed = 0;
  for (const cell of row.matchAll(cellPattern)) {
    if (cell.index !== consumed) {
      throw new Error(`unexpected cell markup: ${row.slice(consumed, consumed + 80)}`);
    }
    consumed += cell[0].length;
    const [markup, type, style, text, value] = cell;
    read.push(
      markup === '<c/>'
        ? { type: 'empty' }
        : {
            type: type ?? 'n',
            ...(style === undefined ? {} : { style: Number(style) }),
            value: text === undefined ? value : decodeText(text),
          },
    );
  }
  if (consumed !== row.length) {
    throw new Error(`unexpected cell markup: ${row.slice(consumed, consumed + 80)}`);
  }
  return read;
}

/** XML character references and entities, then Excel's `_xHHHH_` escapes, as Excel reads them. */
function decodeText(text: string): string {
  if (/<|&(?!amp;|lt;|gt;|quot;|apos;|#\d+;)/.test(text)) {
    throw new Error(`text is not escaped: ${text}`);
  }
  return text
    .replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, name: string) =>
      name.startsWith('#')
        ? String.fromCodePoint(Number(name.slice(1)))
        : { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name]!,
    )
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
