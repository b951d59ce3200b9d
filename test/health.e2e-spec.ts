import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TEST_REDIS_URL, eventually, isRedisAvailable } from '@custos/core/testing';
import { expectProblem } from './support/api';
import { startTestServer, type TestServer } from './support/test-server';

const describeWithRedis = isRedisAvailable() ? describe : describe.skip;

/** A TCP relay to the test Redis that the test can cut and restore, as a network failure would. */
class RedisRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const target = new URL(TEST_REDIS_URL);
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await closed;
  }

  get url(): string {
    const target = new URL(TEST_REDIS_URL);
    target.host = `127.0.0.1:${this.port}`;
    return target.toString();
  }
}

describe('readiness without Redis configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(() => server?.close());

  it('reports the database and the file store', async () => {
    const ready = await server.http().get('/api/v1/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok', fileStore: 'ok' } });
  });
});

describeWithRedis('readiness with Redis (REDIS_URL)', () => {
  const relay = new RedisRelay();
  let server: TestServer;

  beforeAll(async () => {
    await relay.open();
    server = await startTestServer('sqlite', { env: { REDIS_URL: relay.url } });
  });

  afterAll(async () => {
    await server?.close();
    await relay.cut();
  });

  it('is 503 naming Redis while it is unreachable, and ready again once it answers', async () => {
    const ready = await server.http().get('/api/v1/health/ready');
    expect(ready.body).toEqual({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok', fileStore: 'ok' },
    });

    await relay.cut();
    const down = await server.http().get('/api/v1/health/ready');
    expectProblem(down, 503, { code: 'server.redis_unavailable' });
    expect(down.body).toMatchObject({ unavailable: ['redis'] });
    // Nothing of the connection (address, port, credentials) is in the answer.
    expect(JSON.stringify(down.body)).not.toContain(String(relay.port));
    expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');

    await relay.open();
    await eventually(async () => {
      const again = await server.http().get('/api/v1/health/ready');
      return again.status === 200 ? again : undefined;
    });
  });
});
