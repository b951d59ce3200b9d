import { randomBytes } from 'node:crypto';
import { CoreModule, ProblemDetailsFilter, RequestContext } from '@custos/core';
import { connectionOptionsOf, createTestDatabase, type TestDatabase } from '@custos/core/testing';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AUDIT_ENTITIES } from './audit.entities';
import { AuditHttpModule } from './audit-http.module';
import { AuditModule } from './audit.module';
import { AuditService } from './audit.service';
import { testActor } from './testing/audit-test-app';

describe(AuditModule.name, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });

  afterAll(async () => {
    await database.drop();
  });

  const compile = (audit: DynamicModule, http: (Type | DynamicModule)[] = []) =>
    Test.createTestingModule({
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: AUDIT_ENTITIES,
          synchronize: true,
        }),
        audit,
        ...http,
      ],
    }).compile();

  it('is configured through forRootAsync', async () => {
    const module = await compile(
      AuditModule.forRootAsync({ useFactory: () => ({ signingKey: randomBytes(32) }) }),
    );
    try {
      const actor = testActor();
      await expect(
        module
          .get(RequestContext)
          .runAs(actor, () => module.get(AuditService).record({ action: 'user.created' })),
      ).resolves.toMatchObject({ seq: 1 });
    } finally {
      await module.close();
    }
  });

  it('refuses to start with a signing key that is not 32 bytes', async () => {
    await expect(compile(AuditModule.forRoot({ signingKey: randomBytes(16) }))).rejects.toThrow(
      /signingKey.*32 bytes.*deriveKey/,
    );
  });

  it('mounts no routes by itself', async () => {
    const module = await compile(AuditModule.forRoot({ signingKey: randomBytes(32) }));
    const app = module.createNestApplication<INestApplication<App>>({ logger: false });
    try {
      await app.init();
      const response = await request(app.getHttpServer()).get('/api/v1/audit-log/verify');
      expect(response.status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('mounts the audit log routes with AuditHttpModule, under the prefix the host chooses', async () => {
    const module = await compile(AuditModule.forRoot({ signingKey: randomBytes(32) }), [
      AuditHttpModule,
      RouterModule.register([{ path: 'api/v1', module: AuditHttpModule }]),
    ]);
    const app = module.createNestApplication<INestApplication<App>>({ logger: false });
    app.useGlobalFilters(new ProblemDetailsFilter());
    try {
      await app.init();
      const response = await request(app.getHttpServer()).get('/api/v1/audit-log/verify');
      expect(response.status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
