import { neutralisedText } from '@custos/exports';

/** RFC 4180 quoting; text a spreadsheet would run as a formula gets a quote first (`neutralisedText`). */
export function csvCell(value: string): string {
  const safe = neutralisedText(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
