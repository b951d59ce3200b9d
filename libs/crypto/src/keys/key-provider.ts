import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Wraps and unwraps data keys with a key-encryption key the database never sees. The local
 * provider holds a master key; a KMS or Vault provider implements the same two calls.
 */
export interface KeyProvider {
  /** A stable name of the key-encryption key (stored with each wrapped key, for master-key rotation). */
  readonly keyId: string;
  wrap(dataKey: Buffer, context: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, context: string): Promise<Buffer>;
}

/** AES-256-GCM key wrapping under a 32-byte master key; `context` (account, purpose, version) is authenticated. */
export class LocalKeyProvider implements KeyProvider {
  constructor(
    private readonly masterKey: Buffer,
    readonly keyId = 'local',
  ) {
    if (masterKey.length !== 32) {
      throw new Error('The master key must be 32 bytes.');
    }
  }

  async wrap(dataKey: Buffer, context: string): Promise<Buffer> {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]);
  }

  async unwrap(wrapped: Buffer, context: string): Promise<Buffer> {
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, wrapped.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - 16));
    try {
      return Buffer.concat([
        decipher.update(wrapped.subarray(12, wrapped.length - 16)),
        decipher.final(),
      ]);
    } catch {
      throw new Error(
        'A data key does not unwrap with this master key: CUSTOS_MASTER_KEY is missing or wrong for this database.',
      );
    }
  }
}
