import type { Server } from 'node:http';
import { listenForWebhook, storingWitness, type WebhookHandler } from '../testing/witness-webhook';
import type { AuditCheckpoint } from './audit-witness';
import { WebhookAuditWitness } from './webhook-audit-witness';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';

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

  async function serve(handler: WebhookHandler): Promise<string> {
    const { server, url } = await listenForWebhook(handler);
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
    const url = await serve(storingWitness(SECRET).handler);
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
    const url = await serve(storingWitness(SECRET).handler);
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
    const closed = await listenForWebhook(() => undefined);
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
