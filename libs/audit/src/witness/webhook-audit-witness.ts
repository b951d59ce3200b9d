import { createHmac } from 'node:crypto';
import { CustosError } from '@custos/core';
import type { AuditCheckpoint, AuditWitness } from './audit-witness';

/** The witness could not be asked or answered nonsense: verification cannot conclude (503). */
function witnessUnavailable(detail: string): CustosError {
  return new CustosError('unavailable', 'audit.witness_unavailable', detail);
}

/** Options of {@link WebhookAuditWitness}. */
export interface WebhookAuditWitnessOptions {
  /** Endpoint receiving `POST` of checkpoints and answering `GET ?accountId=` with the newest. */
  readonly url: string;
  /** HMAC-SHA256 key of the `X-Custos-Signature` header; never logged nor sent. */
  readonly secret: string;
  /** Milliseconds a request may take before it fails (default 10 s). */
  readonly timeoutMs?: number;
}

/** Header carrying `sha256=<hex HMAC-SHA256 of the raw body>` under the shared secret. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Custos-Signature';

/** Largest response body read from the webhook (a checkpoint is a few hundred bytes). */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** `sha256=<hex>` signature of `body` under `secret`, as sent in {@link WEBHOOK_SIGNATURE_HEADER}. */
export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function isCheckpoint(value: unknown, accountId: string): value is AuditCheckpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  return (
    candidate.accountId === accountId &&
    typeof candidate.seq === 'number' &&
    Number.isSafeInteger(candidate.seq) &&
    candidate.seq >= 0 &&
    typeof candidate.hash === 'string' &&
    typeof candidate.signature === 'string' &&
    typeof candidate.at === 'string' &&
    !Number.isNaN(Date.parse(candidate.at))
  );
}

/**
 * Checkpoints kept by another party over HTTPS: `append` POSTs them as a JSON array signed with
 * {@link WEBHOOK_SIGNATURE_HEADER}; `newest` GETs `<url>?accountId=<id>` (also signed, over the
 * empty body) and expects the newest checkpoint as JSON, or 404 / `null` when there is none.
 * Any other answer (non-2xx status, network error, timeout, body that is not a checkpoint of
 * the account) throws, so the checkpointer does not count a checkpoint as stored and a
 * verification reports the witness as unreachable rather than as empty.
 */
export class WebhookAuditWitness implements AuditWitness {
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookAuditWitnessOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async append(checkpoints: readonly AuditCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) {
      return;
    }
    const body = JSON.stringify(
      checkpoints.map(({ accountId, seq, hash, signature, at }) => ({
        accountId,
        seq,
        hash,
        signature,
        at,
      })),
    );
    const response = await this.request(this.options.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      throw witnessUnavailable(
        `Audit witness webhook refused the checkpoints (HTTP ${response.status}).`,
      );
    }
  }

  async newest(accountId: string): Promise<AuditCheckpoint | null> {
    const url = new URL(this.options.url);
    url.searchParams.set('accountId', accountId);
    const response = await this.request(url.toString(), { method: 'GET' });
    if (response.status === 404) {
      await response.arrayBuffer().catch(() => undefined);
      return null;
    }
    const text = await this.readLimited(response);
    if (!response.ok) {
      throw witnessUnavailable(`Audit witness webhook answered HTTP ${response.status}.`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw witnessUnavailable('Audit witness webhook answered a body that is not JSON.');
    }
    if (parsed === null) {
      return null;
    }
    if (!isCheckpoint(parsed, accountId)) {
      throw witnessUnavailable(
        'Audit witness webhook answered something that is not a checkpoint.',
      );
    }
    const { seq, hash, signature, at } = parsed;
    return { accountId, seq, hash, signature, at };
  }

  private async request(
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string },
  ): Promise<Response> {
    const body = init.body ?? '';
    try {
      return await fetch(url, {
        ...init,
        headers: {
          ...init.headers,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, this.options.secret),
        },
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : (error as Error).message;
      throw witnessUnavailable(`Audit witness webhook unreachable: ${reason}.`);
    }
  }

  private async readLimited(response: Response): Promise<string> {
    const declared = Number(response.headers.get('content-length'));
    if (declared > MAX_RESPONSE_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw witnessUnavailable('Audit witness webhook answered a body that is too large.');
    }
    let bytes: ArrayBuffer;
    try {
      bytes = await response.arrayBuffer();
    } catch (error) {
      throw witnessUnavailable(`Audit witness webhook answer failed: ${(error as Error).message}.`);
    }
    if (bytes.byteLength > MAX_RESPONSE_BYTES) {
      throw witnessUnavailable('Audit witness webhook answered a body that is too large.');
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
