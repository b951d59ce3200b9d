import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditCheckpoint } from '../witness/audit-witness';
import { signWebhookBody } from '../witness/webhook-audit-witness';

/** What a test webhook does with one request (its body read in full). */
export type WebhookHandler = (
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
) => void;

/** A webhook on 127.0.0.1 (a free port) serving `handler` at `url`. */
export async function listenForWebhook(
  handler: WebhookHandler,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/witness` };
}

/**
 * Another party's witness, as `WebhookAuditWitness` expects one: checks the signature (401
 * otherwise), keeps posted checkpoints in `stored`, answers the newest of an account (404: none).
 */
export function storingWitness(secret: string): {
  handler: WebhookHandler;
  stored: AuditCheckpoint[];
} {
  const stored: AuditCheckpoint[] = [];
  const handler: WebhookHandler = (request, body, response) => {
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
  return { handler, stored };
}
