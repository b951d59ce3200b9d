import request from 'supertest';
import { MailOutbox } from '@custos/core';
import { TEST_REDIS_URL, isRedisAvailable, testDatabaseKinds } from '@custos/core/testing';
import { MetricsModule } from '../src/metrics/metrics.module';
import { ADMIN_EMAIL, startTestServer, type TestServer } from './support/test-server';

const RECORD_ROUTE = 'route="/api/v1/objects/:objectType/:recordId"';
const describeWithRedis = isRedisAvailable() ? describe : describe.skip;

/** Job and outbox figures of a scrape: the deployment's queues, read from their store. */
async function expectJobAndOutboxMetrics(server: TestServer): Promise<void> {
  // Without SMTP the mail stays pending: the outbox backlog shows it.
  await server.app.get(MailOutbox).enqueue({
    accountId: server.accountId,
    kind: 'test.notice',
    to: ['backlog@metrics.test'],
    subject: 'Waiting',
    text: 'Kept in the outbox.',
  });
  const text = (await server.http().get('/metrics')).text;
  // Every schedule's next run waits (due at the end of its period) on either backend.
  expect(text).toMatch(/custos_job_queue_jobs\{queue="jobs\.prune",state="waiting"\} 1\n/);
  expect(text).toMatch(/custos_job_queue_jobs\{queue="jobs\.prune",state="dead"\} 0\n/);
  expect(text).toMatch(/custos_job_queue_oldest_waiting_seconds\{queue="jobs\.prune"\} \d/);
  expect(text).toContain('# TYPE custos_job_failures_total counter');
  expect(text).toMatch(/custos_mail_outbox_mails\{status="pending"\} 1\n/);
  expect(text).toMatch(/custos_mail_outbox_mails\{status="failed"\} 0\n/);
  expect(text).toMatch(/custos_mail_outbox_oldest_pending_seconds \d/);
  expect(text).not.toContain('backlog@metrics.test');
}

async function createContact(server: TestServer, token: string): Promise<string> {
  const response = await server
    .http()
    .post('/api/v1/objects/contacts')
    .auth(token, { type: 'bearer' })
    .send({ properties: { email: 'metrics-canary@example.com', firstname: 'Canary' } });
  expect(response.status).toBe(201);
  return (response.body as { id: string }).id;
}

describe.each(testDatabaseKinds())('Prometheus metrics on %s', (kind) => {
  describe('off by default', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(kind);
    });
    afterAll(() => server.close());

    it('serves no /metrics route', async () => {
      expect((await server.http().get('/metrics')).status).toBe(404);
    });
  });

  describe('on the API port (CUSTOS_METRICS=on)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(kind, { env: { CUSTOS_METRICS: 'on' } });
    });
    afterAll(() => server.close());

    it('counts and times requests per route template; labels never carry ids, emails or values', async () => {
      const token = await server.login();
      const id = await createContact(server, token);
      const read = await server.http().get(`/api/v1/objects/contacts/${id}`).auth(token, {
        type: 'bearer',
      });
      expect(read.status).toBe(200);
      expect((await server.http().get(`/no/such/path/${id}`)).status).toBe(404);

      const response = await server.http().get('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      const text = response.text;
      expect(text).toContain(
        `custos_http_requests_total{method="GET",${RECORD_ROUTE},status="200"} 1`,
      );
      expect(text).toContain('custos_http_request_duration_seconds_bucket{le="0.001",method="GET"');
      expect(text).toContain('route="unmatched",status="404"');
      expect(text).toContain('custos_process_cpu_seconds_total');
      for (const secret of [id, ADMIN_EMAIL, 'metrics-canary', 'Canary', token]) {
        expect(text).not.toContain(secret);
      }
      if (kind === 'postgres') {
        expect(text).toMatch(/custos_db_pool_connections\{state="total"\} [1-9]/);
      }
    });

    it('reports job queue depth by state, the oldest waiting job and the outbox backlog (database backend)', async () => {
      await expectJobAndOutboxMetrics(server);
    });
  });

  describeWithRedis('with jobs on BullMQ (REDIS_URL)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(kind, {
        env: { CUSTOS_METRICS: 'on', REDIS_URL: TEST_REDIS_URL },
      });
    });
    afterAll(() => server.close());

    it('reports job queue depth by state, the oldest waiting job and the outbox backlog', async () => {
      await expectJobAndOutboxMetrics(server);
    });
  });

  describe('on a listener of its own (CUSTOS_METRICS_PORT)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(kind, {
        env: { CUSTOS_METRICS: 'on', CUSTOS_METRICS_PORT: '0' },
      });
    });
    afterAll(() => server.close());

    it('answers only there, not on the API port', async () => {
      expect((await server.http().get('/api/v1/health/live')).status).toBe(200);
      expect((await server.http().get('/metrics')).status).toBe(404);
      const address = server.app.get(MetricsModule).address()!;
      const own = await request(`http://${address.host}:${address.port}`).get('/metrics');
      expect(own.status).toBe(200);
      expect(own.text).toContain('route="/api/v1/health/live",status="200"');
      expect((await request(`http://${address.host}:${address.port}`).get('/other')).status).toBe(
        404,
      );
    });
  });
});
