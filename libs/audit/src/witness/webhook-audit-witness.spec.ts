import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditCheckpoint } from './audit-witness';
import { signWebhookBody, WebhookAuditWitness } from './webhook-audit-witness';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A witness service on 127.0.0.1 that checks signatures and keeps checkpoints in memory. */
function storingHandler(secret: string): Handler {
  const stored: AuditCheckpoint[] = [];
  return (request, body, response) => {
    const expected = Buffer.from(signWebhookBody(body, secret));
    const given = Buffer.from(String(request.headers['x-custos-signature'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      response.writeHead(401).end();
      return;
    }
    if (request.method === 'POST') {
      stored.push(...(JSON.parse(body) as AuditCheckpoint[]));
      response.writeHead(204).end();
      return;
    }
    const accountId = new URL(request.url!, 'http://x').searchParams.get('accountId');
    const newest = stored
      .filter((checkpoint) => checkpoint.accountId === accountId)
      .sort((a, b) => b.seq - a.seq)[0];
    if (!newest) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(newest));
  };
}

async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/witness` };
}

function checkpoint(accountId: string, seq: number): AuditCheckpoint {
  return {
    accountId,
    seq,
    hash: `hash-${seq}`,
    signature: `signature-${seq}`,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  };
}

describe(WebhookAuditWitness.name, () => {
  const servers: Server[] = [];

  async function serve(handler: Handler): Promise<string> {
    const { server, url } = await listen(handler);
    servers.push(server);
    return url;
  }

  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  });

  it('stores signed checkpoints and reads the newest of an account back', async () => {
    const url = await serve(storingHandler(SECRET));
    const witness = new WebhookAuditWitness({ url, secret: SECRET });
    expect(await witness.newest('account-a')).toBeNull();
    await witness.append([checkpoint('account-a', 3), checkpoint('account-b', 1)]);
    await witness.append([checkpoint('account-a', 7)]);
    await witness.append([]);
    expect(await witness.newest('account-a')).toEqual(checkpoint('account-a', 7));
    expect(await witness.newest('account-b')).toEqual(checkpoint('account-b', 1));
    expect(await witness.newest('account-c')).toBeNull();
  });

  it('throws when the service refuses the signature', async () => {
    const url = await serve(storingHandler(SECRET));
    const witness = new WebhookAuditWitness({ url, secret: `${SECRET}-but-another-one` });
    await expect(witness.append([checkpoint('account-a', 1)])).rejects.toThrow('HTTP 401');
    await expect(witness.newest('account-a')).rejects.toThrow('HTTP 401');
  });

  it('treats a JSON null as no checkpoint', async () => {
    const url = await serve((_request, _body, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('null');
    });
    expect(await new WebhookAuditWitness({ url, secret: SECRET }).newest('account-a')).toBeNull();
  });

  it.each([
    ['not JSON', '<html>oops</html>'],
    ['an array', JSON.stringify([checkpoint('account-a', 1)])],
    ['another account', JSON.stringify(checkpoint('account-b', 1))],
    ['a seq that is not an integer', JSON.stringify({ ...checkpoint('account-a', 1), seq: '1' })],
    ['no hash', JSON.stringify({ ...checkpoint('account-a', 1), hash: undefined })],
    ['an empty object', '{}'],
  ])('throws when newest answers %s', async (_case, answer) => {
    const url = await serve((_request, _body, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(answer);
    });
    await expect(
      new WebhookAuditWitness({ url, secret: SECRET }).newest('account-a'),
    ).rejects.toThrow(/webhook/);
  });

  it('throws when the service errs or is not there', async () => {
    const url = await serve((_request, _body, response) => response.writeHead(500).end());
    const witness = new WebhookAuditWitness({ url, secret: SECRET });
    await expect(witness.append([checkpoint('account-a', 1)])).rejects.toThrow('HTTP 500');
    await expect(witness.newest('account-a')).rejects.toThrow('HTTP 500');
    const closed = await listen(() => undefined);
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const gone = new WebhookAuditWitness({ url: closed.url, secret: SECRET });
    await expect(gone.append([checkpoint('account-a', 1)])).rejects.toThrow('unreachable');
  });

  it('throws when the service does not answer in time', async () => {
    const url = await serve(() => undefined);
    const witness = new WebhookAuditWitness({ url, secret: SECRET, timeoutMs: 200 });
    await expect(witness.append([checkpoint('account-a', 1)])).rejects.toThrow('200 ms');
    await expect(witness.newest('account-a')).rejects.toThrow('200 ms');
  });
});
