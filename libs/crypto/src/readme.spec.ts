import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { protect, reveal } from '../examples/usage';

describe('README example of @custos/crypto', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('protects a value so that only its own place reveals it', () => {
    const place = { accountId: 'a1', table: 'crm_contact', column: 'national_id', recordId: 'r1' };
    const { stored, token } = protect('756.1234.5678.97', place);
    expect(stored).not.toContain('756');
    expect(token).toBe(protect(' 756.1234.5678.97 ', place).token);
    expect(reveal(stored, place)).toBe('756.1234.5678.97');
    expect(() => reveal(stored, { ...place, recordId: 'r2' })).toThrow('cannot be opened');
  });
});
