import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ACCESS_ENTITIES } from '@custos/access';
import { AUDIT_ENTITIES } from '@custos/audit';
import { IDENTITY_ENTITIES, InitialAccountService } from '@custos/identity';
import { MyAppModule } from '../examples/usage';

describe('README example of @custos/identity', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('boots, creates the first super admin and signs them in', async () => {
    process.env.MY_APP_SECRET = randomBytes(32).toString('base64');
    const moduleRef = await Test.createTestingModule({ imports: [MyAppModule] })
      // The example's database file becomes an in-memory database with the same entities.
      .overrideProvider(getDataSourceToken())
      .useFactory({
        factory: () =>
          new DataSource({
            type: 'better-sqlite3',
            database: ':memory:',
            entities: [...AUDIT_ENTITIES, ...ACCESS_ENTITIES, ...IDENTITY_ENTITIES],
            synchronize: true,
          }).initialize(),
      })
      .compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      await app
        .get(InitialAccountService)
        .ensure({ email: 'owner@example.com', password: 'a long enough password' });
      const login = await request(app.getHttpServer())
        .post('/api/v1/auth/login')
        .send({ email: 'owner@example.com', password: 'a long enough password' });
      expect(login.status).toBe(200);
      const me = await request(app.getHttpServer())
        .get('/api/v1/me')
        .auth(login.body.accessToken, { type: 'bearer' });
      expect(me.body).toMatchObject({ superAdmin: true, account: { name: 'Demo' } });
    } finally {
      await app.close();
    }
  });
});
