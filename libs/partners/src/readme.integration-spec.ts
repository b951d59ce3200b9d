import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ACCESS_ENTITIES } from '@custos/access';
import { APPROVAL_ENTITIES } from '@custos/approvals';
import { AUDIT_ENTITIES } from '@custos/audit';
import { JOB_ENTITIES, NOTIFICATION_ENTITIES } from '@custos/core';
import { IDENTITY_ENTITIES, InitialAccountService } from '@custos/identity';
import { MyAppModule } from '../examples/usage';
import { PARTNER_ENTITIES } from './partners.module';

const OWNER = { email: 'owner@example.com', password: 'a long enough password' };
const EMPLOYEE = { email: 'ada@northwind.example', password: 'another long password' };

describe('README example of @custos/partners', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs the README walk-through: a firm, its employee’s link approved, a partner admin signs in', async () => {
    process.env.MY_APP_SECRET = randomBytes(32).toString('base64');
    const moduleRef = await Test.createTestingModule({ imports: [MyAppModule] })
      // The example's database file becomes an in-memory database with the same entities.
      .overrideProvider(getDataSourceToken())
      .useFactory({
        factory: () =>
          new DataSource({
            type: 'better-sqlite3',
            database: ':memory:',
            entities: [
              ...AUDIT_ENTITIES,
              ...ACCESS_ENTITIES,
              ...IDENTITY_ENTITIES,
              ...JOB_ENTITIES,
              ...NOTIFICATION_ENTITIES,
              ...APPROVAL_ENTITIES,
              ...PARTNER_ENTITIES,
            ],
            synchronize: true,
          }).initialize(),
      })
      .compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const customerId = (await app.get(InitialAccountService).ensure(OWNER))!.accountId;
      const http = request(app.getHttpServer());
      const login = async (who: typeof OWNER, accountId: string) =>
        (await http.post('/api/v1/auth/login').send({ ...who, accountId })).body
          .accessToken as string;
      const owner = await login(OWNER, customerId);
      const home = await http
        .post('/api/v1/accounts')
        .auth(owner, { type: 'bearer' })
        .send({ name: 'Northwind' });
      const homeId = home.body.id as string;
      const firmAdmin = await login(OWNER, homeId);
      const firm = await http
        .post('/api/v1/partner/firm')
        .auth(firmAdmin, { type: 'bearer' })
        .send({ name: 'Northwind Consulting' });
      expect(firm.status).toBe(201);
      await http
        .post('/api/v1/users')
        .auth(firmAdmin, { type: 'bearer' })
        .send({ ...EMPLOYEE, displayName: 'Ada' });
      const employeeAtHome = await login(EMPLOYEE, homeId);
      const me = await http.get('/api/v1/me').auth(employeeAtHome, { type: 'bearer' });
      await http
        .post('/api/v1/partner/firm/employees')
        .auth(firmAdmin, { type: 'bearer' })
        .send({ userId: me.body.user.id });
      const link = await http.get('/api/v1/partner/link').auth(employeeAtHome, { type: 'bearer' });

      const seats = await http
        .put('/api/v1/partner-seats/partner')
        .auth(owner, { type: 'bearer' })
        .send({ seats: 1 });
      expect(seats.body).toMatchObject({ seats: 1, used: 0 });
      const approved = await http
        .post('/api/v1/partner-links/approve')
        .auth(owner, { type: 'bearer' })
        .send({ link: link.body.link, accessDays: 90 });
      expect(approved.body).toMatchObject({
        employee: { email: EMPLOYEE.email },
        approval: { state: 'approved' },
      });
      const partner = await login(EMPLOYEE, customerId);
      const seen = await http.get('/api/v1/me').auth(partner, { type: 'bearer' });
      expect(seen.body).toMatchObject({ actor: { kind: 'partner_admin' }, superAdmin: false });
    } finally {
      await app.close();
    }
  });
});
