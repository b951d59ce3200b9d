import { randomBytes } from 'node:crypto';
import {
  CoreModule,
  CustosValidationPipe,
  PolicyGuard,
  ProblemDetailsFilter,
  RequestContext,
  type Actor,
} from '@custos/core';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { RouterModule } from '@nestjs/core';
import {
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AuditLogController } from './audit-log.controller';
import { AUDIT_ENTITIES } from './audit.entities';
import { AuditHttpModule } from './audit-http.module';
import { AuditModule } from './audit.module';
import { AuditService } from './audit.service';
import { testActor } from './testing/audit-test-app';

/** Stands in for the identity lib: the actor comes as JSON in a header. */
@Injectable()
class HeaderAuthGuard implements CanActivate {
  constructor(private readonly context: RequestContext) {}

  canActivate(execution: ExecutionContext): boolean {
    const header = execution
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>().headers['x-test-actor'];
    if (header) {
      this.context.setActor(JSON.parse(header) as Actor);
    }
    return true;
  }
}

describe(AuditLogController.name, () => {
  describe.each(testDatabaseKinds())('on %s', (kind) => {
    let database: TestDatabase;
    let app: INestApplication<App>;
    const admin = testActor();
    const member = testActor(admin.accountId, { superAdmin: false });
    /** A reader who holds `view_audit_log` without being a super admin in person. */
    const apiKey = testActor(admin.accountId, {
      kind: 'private_app',
      superAdmin: false,
      scopes: ['view_audit_log'],
    });
    const asActor = (actor: Actor) => ({ 'x-test-actor': JSON.stringify(actor) });

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      const module = await Test.createTestingModule({
        imports: [
          CoreModule.forRoot({}),
          TypeOrmModule.forRoot({
            ...connectionOptionsOf(database),
            entities: AUDIT_ENTITIES,
            synchronize: true,
          }),
          AuditModule.forRoot({ signingKey: randomBytes(32) }),
          AuditHttpModule,
          RouterModule.register([{ path: 'api/v1', module: AuditHttpModule }]),
        ],
        providers: [HeaderAuthGuard],
      }).compile();
      app = module.createNestApplication();
      app.useGlobalGuards(module.get(HeaderAuthGuard), module.get(PolicyGuard));
      app.useGlobalPipes(new CustosValidationPipe());
      app.useGlobalFilters(new ProblemDetailsFilter());
      await app.init();
      const audit = module.get(AuditService);
      await module.get(RequestContext).runAs(admin, async () => {
        await audit.record({ action: 'user.created', targetType: 'user', targetId: member.id });
        await audit.record({
          action: 'team.created',
          targetType: 'team',
          targetId: 't-1',
          metadata: { after: { name: 'Northern Europe' } },
        });
      });
    });

    afterAll(async () => {
      await app?.close();
      await database?.drop();
    });

    it("lists the events of the actor's account", async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log?action=user.')
        .set(asActor(admin));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        results: [{ seq: 1, action: 'user.created', actor: { id: admin.id }, targetId: member.id }],
        paging: {},
      });
    });

    it('shows a reader who is not a super admin in person no metadata when the host hides nothing it knows of', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log?action=team.created')
        .set(asActor(apiKey));
      expect(response.status).toBe(200);
      expect(response.body.results).toEqual([
        expect.objectContaining({ action: 'team.created', metadata: {}, metadataRedacted: true }),
      ]);
    });

    it('shows super admins in person the metadata as stored', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log?action=team.created')
        .set(asActor(admin));
      expect(response.body.results).toEqual([
        expect.objectContaining({
          metadata: { after: { name: 'Northern Europe' } },
          metadataRedacted: false,
        }),
      ]);
    });

    it("verifies the chain of the actor's account", async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log/verify')
        .set(asActor(admin));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ valid: true, eventsChecked: 2, headSeq: 2 });
    });

    it('answers 401 without credentials', async () => {
      const response = await request(app.getHttpServer()).get('/api/v1/audit-log');
      expect(response.status).toBe(401);
    });

    it('answers 403 naming the privilege to an actor without it', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log/verify')
        .set(asActor(member));
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({
        code: 'core.privilege_required',
        privilege: 'view_audit_log',
      });
    });

    it('answers 422 naming a malformed time', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log?from=yesterday')
        .set(asActor(admin));
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
    });

    it('answers 422 to a time range that ends before it starts', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')
        .set(asActor(admin));
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'audit.invalid_time_range' });
    });

    it('answers 422 to an unknown query parameter', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/v1/audit-log?actor=x')
        .set(asActor(admin));
      expect(response.status).toBe(422);
    });

    it('documents both routes with summaries, examples and problem responses', () => {
      const document: OpenAPIObject = SwaggerModule.createDocument(
        app,
        new DocumentBuilder().addBearerAuth().build(),
      );
      const list = document.paths['/api/v1/audit-log']?.get;
      const verify = document.paths['/api/v1/audit-log/verify']?.get;
      for (const operation of [list, verify]) {
        expect(operation).toMatchObject({ tags: ['audit log'], security: [{ bearer: [] }] });
        expect(operation?.summary).toEqual(expect.any(String));
        expect(Object.keys(operation?.responses ?? {}).sort()).toEqual([
          '200',
          '401',
          '403',
          '422',
        ]);
      }
      expect(list?.parameters?.map((p) => ('name' in p ? p.name : undefined)).sort()).toEqual([
        'action',
        'actorId',
        'after',
        'from',
        'limit',
        'targetId',
        'targetType',
        'to',
      ]);
      const schemas = document.components?.schemas ?? {};
      for (const name of ['AuditEventDto', 'AuditActorDto', 'ChainVerificationDto']) {
        const properties = (
          schemas[name] as {
            properties: Record<string, { example?: unknown; $ref?: string; allOf?: unknown }>;
          }
        ).properties;
        for (const [field, property] of Object.entries(properties)) {
          expect([
            field,
            property.example !== undefined ||
              property.$ref !== undefined ||
              property.allOf !== undefined,
          ]).toEqual([field, true]);
        }
      }
    });
  });
});
