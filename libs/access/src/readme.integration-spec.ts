import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Invoice, readableInvoices } from '../examples/usage';

describe('README example of @custos/access', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('returns the invoices the rule allows, filtered in SQL', async () => {
    const dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [Invoice],
      synchronize: true,
    }).initialize();
    try {
      await dataSource.getRepository(Invoice).insert([
        { id: 'i1', ownerId: 'ann', region: 'APAC', amount: 50_000 },
        { id: 'i2', ownerId: 'bob', region: 'EMEA', amount: 9_000 },
        { id: 'i3', ownerId: 'bob', region: 'EMEA', amount: 12_000 },
        { id: 'i4', ownerId: 'bob', region: 'APAC', amount: 100 },
      ]);
      const actor = {
        id: 'ann',
        teamIds: [],
        teamMemberIds: ['ann'],
        businessUnitIds: [],
        businessUnitTreeIds: [],
      };
      const invoices = await readableInvoices(dataSource, actor);
      expect(invoices.map((i) => i.id)).toEqual(['i1', 'i2']);
    } finally {
      await dataSource.destroy();
    }
  });
});
