import type { ExportCell, ExportColumn, ExportRow } from '../export-source';
import { finiteNumber, isoDate, rowPieces, utf8Buffers } from './cells';
import { needsNeutralising } from './formula-neutralising';
import type { RowCursor } from './row-cursor';
import { zipArchive, type ZipEntry } from './zip-writer';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELATIONSHIPS_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_RELATIONSHIPS_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

/**
 * The parts that do not depend on the data. Every `.xml` part defaults to the worksheet type, so the
 * content types are known before the number of sheets is.
 */
const CONTENT_TYPES = `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;
const ROOT_RELATIONSHIPS = `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_RELATIONSHIPS_NS}"><Relationship Id="rId1" Type="${RELATIONSHIPS_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

/** Cell formats (`s` attribute): the index of each `xf` in `cellXfs` below. */
const STYLE_DATE = 1;
const STYLE_DATETIME = 2;
/** Excel's own mark for "text that looks like a formula": shown as typed, never evaluated on edit. */
const STYLE_QUOTED_TEXT = 3;
const STYLE_HEADER = 4;
const STYLES = `${XML_DECLARATION}<styleSheet xmlns="${MAIN_NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;
/** The header row stays in view while scrolling. */
const SHEET_START = `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`;
const SHEET_END = '</sheetData></worksheet>';

const MS_PER_DAY = 86_400_000;
/** Serial number of 1970-01-01 in Excel's 1900 date system. */
const UNIX_EPOCH_SERIAL = 25_569;
/** 1900-03-01: before it, Excel's serials are off by its fictitious 29 February 1900. */
const FIRST_SERIAL_DATE = Date.UTC(1900, 2, 1);

/** Characters XML 1.0 cannot hold at all (controls, non-characters, unpaired surrogates): removed. */
const INVALID_XML =
  // eslint-disable-next-line no-control-regex -- control characters are what it matches
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * Escaped: markup characters; CR (an XML reader turns a literal one into LF); and the `_` of text
 * shaped like Excel's own escape `_xHHHH_`, which Excel would otherwise decode.
 */
const XML_ESCAPED = /[&<>\r]|_(?=x[0-9A-Fa-f]{4}_)/g;
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const XML_NEEDS_WORK = /[&<>\r_\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\r': '&#13;',
  _: '_x005F_',
};
const EDGE_WHITESPACE = /^\s|\s$/;

/** Whitespace at either end (kept with `xml:space`); printable ASCII at both ends spares the pattern. */
function edgeWhitespace(text: string): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return (
    !(first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) && EDGE_WHITESPACE.test(text)
  );
}

/**
 * An inline string cell (never a shared string, never a formula): characters XML cannot hold are
 * removed, markup escaped. The formula check looks at the text as it will be read. `style` is the
 * header's; data cells get the quoted-text style when they need it.
 */
function stringCell(value: string, raw: boolean, style?: number): string {
  const needsWork = XML_NEEDS_WORK.test(value);
  const clean = needsWork ? value.replace(INVALID_XML, '') : value;
  const text = needsWork ? clean.replace(XML_ESCAPED, (c) => ESCAPES[c]) : clean;
  const cellStyle = style ?? (!raw && needsNeutralising(clean) ? STYLE_QUOTED_TEXT : undefined);
  const s = cellStyle === undefined ? '' : ` s="${cellStyle}"`;
  const space = edgeWhitespace(text) ? ' xml:space="preserve"' : '';
  return `<c t="inlineStr"${s}><is><t${space}>${text}</t></is></c>`;
}

function xlsxCell(value: ExportCell, column: ExportColumn, raw: boolean): string {
  if (value === null) {
    return '<c/>';
  }
  switch (typeof value) {
    case 'number':
      return `<c t="n"><v>${finiteNumber(value, column)}</v></c>`;
    case 'boolean':
      return `<c t="b"><v>${value ? 1 : 0}</v></c>`;
    case 'string':
      return stringCell(value, raw);
    default: {
      const time = value.getTime();
      if (!(time >= FIRST_SERIAL_DATE)) {
        // Invalid (refused there) or before Excel's dates begin: written as ISO text.
        return stringCell(isoDate(value, column), raw);
      }
      const serial = time / MS_PER_DAY + UNIX_EPOCH_SERIAL;
      const style = column.type === 'date' ? STYLE_DATE : STYLE_DATETIME;
      return `<c s="${style}"><v>${column.type === 'date' ? Math.floor(serial) : serial}</v></c>`;
    }
  }
}

/** One worksheet: the header row and up to `max` rows. */
async function* sheetXml(
  columns: ExportColumn[],
  cursor: RowCursor,
  max: number,
  raw: boolean,
): AsyncGenerator<string> {
  yield `${SHEET_START}<row r="1">${columns.map((c) => stringCell(c.name, raw, STYLE_HEADER)).join('')}</row>`;
  let rowNumber = 1;
  yield* rowPieces(cursor, max, (rows: ExportRow[]) => {
    let text = '';
    for (const row of rows) {
      rowNumber += 1;
      text += `<row r="${rowNumber}">`;
      for (let i = 0; i < row.length; i++) {
        text += xlsxCell(row[i], columns[i], raw);
      }
      text += '</row>';
    }
    return text;
  });
  yield SHEET_END;
}

function workbookXml(sheets: number): string {
  let list = '';
  for (let i = 1; i <= sheets; i++) {
    list += `<sheet name="Sheet${i}" sheetId="${i}" r:id="rId${i}"/>`;
  }
  return `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${RELATIONSHIPS_NS}"><sheets>${list}</sheets></workbook>`;
}

function workbookRelationshipsXml(sheets: number): string {
  let list = '';
  for (let i = 1; i <= sheets; i++) {
    list += `<Relationship Id="rId${i}" Type="${RELATIONSHIPS_NS}/worksheet" Target="worksheets/sheet${i}.xml"/>`;
  }
  list += `<Relationship Id="rId${sheets + 1}" Type="${RELATIONSHIPS_NS}/styles" Target="styles.xml"/>`;
  return `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_RELATIONSHIPS_NS}">${list}</Relationships>`;
}

async function* fixed(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text, 'utf8');
}

/**
 * An XLSX workbook (Office Open XML, SpreadsheetML) of every row the cursor yields: a sheet per
 * `rowsPerSheet` rows, each with the header; the workbook part, which lists the sheets, comes last.
 */
export function xlsxWorkbook(
  columns: ExportColumn[],
  cursor: RowCursor,
  rowsPerSheet: number,
  raw: boolean,
): AsyncGenerator<Buffer> {
  return zipArchive(
    (async function* (): AsyncGenerator<ZipEntry> {
      yield { name: '[Content_Types].xml', content: fixed(CONTENT_TYPES) };
      yield { name: '_rels/.rels', content: fixed(ROOT_RELATIONSHIPS) };
      yield { name: 'xl/styles.xml', content: fixed(STYLES) };
      let sheets = 0;
      do {
        sheets += 1;
        yield {
          name: `xl/worksheets/sheet${sheets}.xml`,
          content: utf8Buffers(sheetXml(columns, cursor, rowsPerSheet, raw)),
        };
      } while (await cursor.hasMore());
      yield { name: 'xl/workbook.xml', content: fixed(workbookXml(sheets)) };
      yield {
        name: 'xl/_rels/workbook.xml.rels',
        content: fixed(workbookRelationshipsXml(sheets)),
      };
    })(),
  );
}
