import { needsNeutralising } from '@custos/exports';

/** RFC 4180 quoting; a cell a spreadsheet would run as a formula starts with a quote. */
export function csvCell(value: string): string {
  const safe = needsNeutralising(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
