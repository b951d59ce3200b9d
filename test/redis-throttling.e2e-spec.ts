import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@custos/core';
import { TEST_REDIS_URL, isRedisAvailable, testDatabaseKinds } from '@custos/core/testing';
import { AppModule } from '../src/app.module';
import { ConfigError, loadServerConfig } from '../src/config/server-config';
import { expectProblem } from './support/api';
import { startTestServer, type TestServer } from './support/test-server';
import { callerOf, expectStatus } from './crm/crm-support';

const describeWithRedis = isRedisAvailable() ? describe : describe.skip;
const LOGIN_FAILURES = 3;
const SUBMISSIONS = 4;

/**
 * Two instances behind a load balancer share their throttling counters through Redis
 * (`REDIS_URL`): the limits hold for the deployment, not per instance.
 */
describeWithRedis.each(testDatabaseKinds())('throttling shared through Redis on %s', (kind) => {
  let a: TestServer;
  let b: TestServer;
  // Addresses and emails of this run only: the Redis counters outlive a test server.
  const run = newId().slice(-12);

  beforeAll(async () => {
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      CUSTOS_TRUST_PROXY: 'true',
      CUSTOS_LOGIN_MAX_FAILURES_PER_EMAIL: String(LOGIN_FAILURES),
      CUSTOS_LOGIN_WINDOW_SECONDS: '60',
      CUSTOS_FORM_SUBMISSIONS_PER_IP: String(SUBMISSIONS),
      CUSTOS_FORM_SUBMISSION_WINDOW_SECONDS: '60',
    };
    a = await startTestServer(kind, { env });
    b = await startTestServer(kind, { env, sameDatabaseAs: a });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const failLogin = (server: TestServer, email: string) =>
    server
      .http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', `198.51.100.${kind === 'sqlite' ? 1 : 2}`)
      .send({ email, password: 'not the password at all' });

  it('counts failed sign-ins of one email on every instance together', async () => {
    const email = `nobody.${run}@example.com`;
    expectProblem(await failLogin(a, email), 401);
    expectProblem(await failLogin(b, email), 401);
    expectProblem(await failLogin(a, email), 401);
    const refused = await failLogin(b, email);
    expectProblem(refused, 429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts public form submissions of one address on every instance together', async () => {
    const admin = callerOf(a, await a.login());
    const form = expectStatus(
      await admin.post('/api/v1/forms', {
        name: 'Shared throttle',
        objectType: 'contacts',
        fields: [{ property: 'firstname' }],
      }),
      201,
    ).body as { id: string };
    const ip = `192.0.2.${parseInt(run.slice(-2), 16) % 250}`;
    const submit = (server: TestServer) =>
      server
        .http()
        .post(`/api/v1/forms/${form.id}/submissions`)
        .set('X-Forwarded-For', ip)
        .send({ fields: { firstname: 'Ada' } });
    for (let i = 0; i < SUBMISSIONS; i += 1) {
      expectStatus(await submit(i % 2 === 0 ? a : b), 202);
    }
    expectProblem(await submit(b), 429, { code: 'crm.form_submissions_throttled' });
    expectProblem(await submit(a), 429, { code: 'crm.form_submissions_throttled' });
  });
});

describe('a REDIS_URL that does not answer', () => {
  it('stops the start with a message naming REDIS_URL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-redis-'));
    const config = loadServerConfig({
      CUSTOS_DATA_DIR: dataDir,
      CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
      // Port 1 on the loopback: nothing listens there.
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    const app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    try {
      const start = app.init();
      await expect(start).rejects.toBeInstanceOf(ConfigError);
      await expect(start).rejects.toThrow(/REDIS_URL/);
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
