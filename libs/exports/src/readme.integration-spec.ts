import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ACCESS_ENTITIES } from '@custos/access';
import { APPROVAL_ENTITIES } from '@custos/approvals';
import { AUDIT_ENTITIES } from '@custos/audit';
import {
  FileStore,
  JOB_ENTITIES,
  LocalDiskFileStore,
  NOTIFICATION_ENTITIES,
  newId,
} from '@custos/core';
import { eventually } from '@custos/core/testing';
import { CRYPTO_ENTITIES } from '@custos/crypto';
import { IDENTITY_ENTITIES, InitialAccountService } from '@custos/identity';
import { MyAppModule, Note } from '../examples/usage';
import { EXPORTS_ENTITIES } from './exports.module';

describe('README example of @custos/exports', () => {
  it('is the code of examples/usage.ts, verbatim', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'usage.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('exports notes over HTTP: 202 with Location, progress, then the file for its requester', async () => {
    process.env.MY_APP_SECRET = randomBytes(32).toString('base64');
    const files = mkdtempSync(join(tmpdir(), 'custos-exports-readme-'));
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
              ...CRYPTO_ENTITIES,
              ...JOB_ENTITIES,
              ...NOTIFICATION_ENTITIES,
              ...APPROVAL_ENTITIES,
              ...EXPORTS_ENTITIES,
              Note,
            ],
            synchronize: true,
          }).initialize(),
      })
      .overrideProvider(FileStore)
      .useValue(new LocalDiskFileStore(files))
      .compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const initial = await app
        .get(InitialAccountService)
        .ensure({ email: 'owner@example.com', password: 'a long enough password' });
      const accountId = initial!.accountId;
      await app.get(DataSource).manager.insert(Note, [
        { id: newId(), accountId, text: 'first note' },
        { id: newId(), accountId, text: '=HYPERLINK("http://evil")' },
      ]);
      const http = request(app.getHttpServer());
      const login = await http
        .post('/api/v1/auth/login')
        .send({ email: 'owner@example.com', password: 'a long enough password' });
      const token = login.body.accessToken as string;

      const created = await http
        .post('/api/v1/exports')
        .auth(token, { type: 'bearer' })
        .send({ source: 'notes', format: 'csv', properties: ['text'] });
      expect(created.status).toBe(202);
      expect(created.headers.location).toBe(`/api/v1/exports/${created.body.id}`);
      const done = await eventually(async () => {
        const view = await http.get(created.headers.location).auth(token, { type: 'bearer' });
        return view.body.state === 'done' ? view.body : undefined;
      });
      expect(done).toMatchObject({ rowsDone: 2, rowsTotal: 2 });

      const file = await http
        .get(`${created.headers.location}/file`)
        .auth(token, { type: 'bearer' })
        .buffer(true)
        .parse((response, callback) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => callback(null, Buffer.concat(chunks)));
        });
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toMatch(/^attachment/);
      const csv = (file.body as Buffer).toString('utf8');
      expect(csv).toContain('first note');
      expect(csv).not.toMatch(/^=HYPERLINK/m);

      const unknown = await http
        .post('/api/v1/exports')
        .auth(token, { type: 'bearer' })
        .send({ source: 'notes', format: 'pdf', properties: ['text'] });
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'format' })]);
    } finally {
      await app.close();
      rmSync(files, { recursive: true, force: true });
    }
  });
});
