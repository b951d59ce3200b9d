import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Invoice, InvoicesAppModule } from '../examples/usage';

describe('README example of @custos/access', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('lists only what roles and record rules allow, filtered in SQL', async () => {
    const app = await (
      await Test.createTestingModule({ imports: [InvoicesAppModule] }).compile()
    )
      .createNestApplication({ logger: false })
      .init();
    try {
      await app
        .get(DataSource)
        .getRepository(Invoice)
        .insert([
          { id: 'i1', ownerId: 'ann', region: 'EMEA', amount: 100 },
          { id: 'i2', ownerId: 'bob', region: 'EMEA', amount: 200 },
          { id: 'i3', ownerId: 'bob', region: 'APAC', amount: 300 },
          { id: 'i4', ownerId: 'eve', region: 'EMEA', amount: 400 },
        ]);
      const http = () => request(app.getHttpServer());
      const ids = async (user: string) =>
        ((await http().get('/invoices').set('x-demo-user', user)).body as Invoice[]).map(
          (i) => i.id,
        );
      await expect(ids('ann')).resolves.toEqual([]);

      // The boss (a super admin) makes a team-level role with a rule, and gives it to the sales team.
      const role = await http()
        .post('/api/v1/roles')
        .set('x-demo-user', 'boss')
        .send({
          name: 'Sales',
          privileges: [{ objectType: 'invoices', action: 'read', level: 'team' }],
          taskPrivileges: [],
        });
      expect(role.status).toBe(201);
      await http()
        .post(`/api/v1/roles/${role.body.id}/assignments`)
        .set('x-demo-user', 'boss')
        .send({ principalType: 'team', principalId: 'sales' })
        .expect(201);
      await expect(ids('ann')).resolves.toEqual(['i1', 'i2', 'i3']);

      await http()
        .post('/api/v1/record-rules')
        .set('x-demo-user', 'boss')
        .send({
          name: 'EMEA only',
          objectType: 'invoices',
          actions: ['read'],
          effect: 'restrict',
          condition: { region: 'EMEA' },
        })
        .expect(201);
      await expect(ids('ann')).resolves.toEqual(['i1', 'i2']);
      await expect(ids('eve')).resolves.toEqual([]);
      await expect(ids('boss')).resolves.toEqual(['i1', 'i2', 'i3', 'i4']);
      expect((await http().get('/api/v1/roles').set('x-demo-user', 'ann')).status).toBe(403);
    } finally {
      await app.close();
    }
  });
});
