import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_CATEGORIES } from './data-categories';
import { isDataCategory } from './categories';

/** The fideslang CSV the constant is generated from (shipped beside the lib with its licence). */
function csvKeys(): Map<string, string> {
  const csv = readFileSync(join(__dirname, '..', '..', 'taxonomy', 'data_categories.csv'), 'utf8');
  const rows = csv.trim().split('\n').slice(1);
  // fides_key is the first cell; version_deprecated the ninth (no earlier cell is quoted).
  return new Map(rows.map((row) => [row.split(',')[0], row.split(',')[8] ?? '']));
}

describe('the data categories', () => {
  it('are every non-deprecated key of the user subtree of the fideslang CSV, and nothing else', () => {
    const keys = csvKeys();
    for (const key of DATA_CATEGORIES) {
      expect({ key, inCsv: keys.has(key), deprecated: keys.get(key) }).toEqual({
        key,
        inCsv: true,
        deprecated: '',
      });
    }
    const expected = [...keys]
      .filter(([key, deprecated]) => (key === 'user' || key.startsWith('user.')) && !deprecated)
      .map(([key]) => key)
      .sort();
    expect([...DATA_CATEGORIES]).toEqual(expected);
  });

  it('are told from other text', () => {
    expect(isDataCategory('user.contact.email')).toBe(true);
    expect(isDataCategory('user.health_and_medical')).toBe(true);
    expect(isDataCategory('user.contact.emai')).toBe(false);
    expect(isDataCategory('system.operations')).toBe(false);
    expect(isDataCategory(3)).toBe(false);
  });
});
