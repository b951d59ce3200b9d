import { hkdfSync } from 'node:crypto';

/**
 * Derives an independent 32-byte key for one purpose (`"custos/jwt"`, `"custos/audit-head"`)
 * from the server's master secret with HKDF-SHA256, so one secret never serves two purposes.
 */
export function deriveKey(masterSecret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterSecret, Buffer.alloc(0), purpose, 32));
}
