import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MailOutbox, newId } from '@custos/core';
import { S3FileStore } from '@custos/core/s3';
import { startTestS3Server, testDatabaseKinds, type TestS3Server } from '@custos/core/testing';
import { AppModule } from '../src/app.module';
import { ConfigError, loadServerConfig } from '../src/config/server-config';
import { expectProblem } from './support/api';
import { newUser } from './support/factories';
import { insertInterruptedImport } from './crm/crm-support';
import { startTestServer, type TestServer } from './support/test-server';

const CANARY = 'CANARY-s3-attachment-do-not-leak';

async function keysIn(store: S3FileStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of store.list(prefix)) {
    keys.push(file.key);
  }
  return keys.sort();
}

async function bytesOf(stream: Readable | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream ?? []) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

describe.each(testDatabaseKinds())('the server with its files on S3 on %s', (kind) => {
  let s3: TestS3Server;
  let bucket: S3FileStore;
  let server: TestServer;
  let token: string;

  const s3Env = () => ({
    S3_BUCKET: s3.options.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.options.region,
    S3_ACCESS_KEY_ID: s3.options.credentials!.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.options.credentials!.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  });

  beforeAll(async () => {
    s3 = await startTestS3Server();
    bucket = new S3FileStore(s3.options);
    server = await startTestServer(kind, { env: s3Env() });
    token = await server.login();
  });

  afterAll(async () => {
    await server?.close();
    bucket.close();
    await s3.close();
  });

  const call = (method: 'get' | 'post', path: string) =>
    server.http()[method](path).auth(token, { type: 'bearer' });

  it('stores an attachment sealed in the bucket, never on local disk, and serves it through authorisation only', async () => {
    const enabled = await call('post', '/api/v1/settings/sensitive-data/enable').send({
      categories: ['health_data'],
      acceptTerms: true,
    });
    expect(enabled.status).toBeLessThan(300);
    const contact = await call('post', '/api/v1/objects/contacts').send({
      properties: { email: `s3.${kind}@files.test` },
    });
    expect(contact.status).toBe(201);
    const uploaded = await call(
      'post',
      `/api/v1/objects/contacts/${contact.body.id}/attachments`,
    ).attach('file', Buffer.from(CANARY), { filename: 'note.txt', contentType: 'text/plain' });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.encrypted).toBe(true);
    const key = `attachments/${server.accountId}/${uploaded.body.id}`;
    expect(await keysIn(bucket, 'attachments/')).toEqual([key]);
    expect((await bytesOf(await bucket.get(key))).toString('latin1')).not.toContain(CANARY);
    expect(existsSync(join(server.config.dataDir, 'attachments'))).toBe(false);

    const download = await call('get', `/api/v1/attachments/${uploaded.body.id}/content`);
    expect(download.status).toBe(200);
    expect(download.text).toBe(CANARY);
    const anonymous = await server.http().get(`/api/v1/attachments/${uploaded.body.id}/content`);
    expect(anonymous.status).toBe(401);
  });

  it('runs a CSV import from the bucket and removes its file when done', async () => {
    const csv = `Email,First name\n${[1, 2, 3].map((n) => `s3import${n}.${kind}@files.test,R${n}`).join('\n')}\n`;
    const response = await call('post', '/api/v1/imports')
      .field('objectType', 'contacts')
      .field('mapping', JSON.stringify({ Email: 'email', 'First name': 'firstname' }))
      .field('mode', 'create')
      .attach('file', Buffer.from(csv), { filename: 'contacts.csv', contentType: 'text/csv' });
    expect(response.status).toBe(202);
    let view = response.body as { id: string; status: string; created?: number };
    for (
      let attempt = 0;
      attempt < 500 && !['done', 'failed'].includes(view.status);
      attempt += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      view = (await call('get', `/api/v1/imports/${view.id}`)).body;
    }
    expect(view).toMatchObject({ status: 'done', created: 3 });
    expect(await keysIn(bucket, 'imports/')).toEqual([]);
    expect(existsSync(join(server.config.dataDir, 'imports'))).toBe(false);
  });

  it('lets another instance resume an import whose file only the bucket holds', async () => {
    // The state an instance leaves when it dies mid-import: the row `running` after rows 1–2,
    // the file in the bucket (nothing on the next instance's disk).
    const emails = [1, 2, 3].map((n) => `resumed${n}.${kind}@files.test`);
    const id = newId();
    await bucket.put(`imports/${id}.csv`, Buffer.from(`Email\n${emails.join('\n')}\n`));
    await insertInterruptedImport(server, token, {
      id,
      mapping: { Email: 'email' },
      totalRows: 3,
      processedRows: 2,
    });
    // Another instance of the deployment starts, and resumes it from the bucket.
    const other = await startTestServer(kind, { env: s3Env(), sameDatabaseAs: server });
    try {
      let view = (await call('get', `/api/v1/imports/${id}`)).body as { status: string };
      for (let attempt = 0; attempt < 500 && view.status === 'running'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        view = (await call('get', `/api/v1/imports/${id}`)).body;
      }
      // Rows 1–2 count as applied already: only row 3 is created.
      expect(view).toMatchObject({ status: 'done', processedRows: 3, created: 3 });
      const found = await call('post', '/api/v1/objects/contacts/search').send({
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'eq', value: emails[2] }] }],
      });
      expect(found.body.results).toHaveLength(1);
      expect(await keysIn(bucket, 'imports/')).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('lists the outbox to super admins only (no SMTP configured: mail stays there)', async () => {
    const outbox = server.app.get(MailOutbox);
    expect(outbox.delivering).toBe(false);
    const id = await outbox.enqueue({
      accountId: server.accountId,
      kind: 'test.notice',
      to: ['owner@files.test'],
      subject: 'Kept in the outbox',
      text: 'No SMTP server is configured.',
    });
    const list = await call('get', '/api/v1/mail/outbox');
    expect(list.status).toBe(200);
    expect(list.body.results).toEqual([
      expect.objectContaining({
        id,
        kind: 'test.notice',
        to: ['owner@files.test'],
        subject: 'Kept in the outbox',
        status: 'pending',
        attempts: 0,
        messageId: `<${id}@localhost>`,
      }),
    ]);
    const member = await newUser(server, token);
    expectProblem(
      await server.http().get('/api/v1/mail/outbox').auth(member.token, { type: 'bearer' }),
      403,
    );
  });

  it('is not ready when the bucket does not answer', async () => {
    // A bucket and server of its own: the suite's bucket stays up for tests in any order.
    const lost = await startTestS3Server();
    const alone = await startTestServer(kind, {
      env: { ...s3Env(), S3_BUCKET: lost.options.bucket, S3_ENDPOINT: lost.endpoint },
    });
    try {
      expect((await alone.http().get('/api/v1/health/ready')).status).toBe(200);
      await lost.close();
      const ready = await alone.http().get('/api/v1/health/ready');
      expectProblem(ready, 503, { code: 'server.file_store_unavailable' });
    } finally {
      await alone.close();
    }
  });
});

describe('an S3 bucket that does not answer', () => {
  it('stops the start with a message naming S3_BUCKET', async () => {
    const s3 = await startTestS3Server();
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-s3-'));
    const config = loadServerConfig({
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
      S3_BUCKET: 'no-such-bucket',
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.options.credentials!.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.options.credentials!.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    });
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    try {
      const start = app.init();
      await expect(start).rejects.toBeInstanceOf(ConfigError);
      await expect(start).rejects.toThrow(/S3_BUCKET/);
    } finally {
      await app.close();
      await s3.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
