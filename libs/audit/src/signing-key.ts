import { createSecretKey, type KeyObject } from 'node:crypto';
import type { AuditModuleOptions } from './audit.module-definition';

/** The module's head-signing key, or an error that says how to configure one. */
export function signingKeyOf(options: AuditModuleOptions | undefined): KeyObject {
  const key = options?.signingKey;
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new Error(
      'AuditModule needs `signingKey`: a Buffer of exactly 32 bytes. ' +
        "Derive one from the server secret with deriveKey(masterSecret, 'custos/audit-chain-head') from @custos/core, " +
        'and keep it stable: heads signed with another key fail verification.',
    );
  }
  return createSecretKey(key);
}
