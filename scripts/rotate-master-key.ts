/**
 * Master-key rotation: `CUSTOS_NEW_MASTER_KEY=<base64 of 32 bytes> npm run master-key:rotate`.
 *
 * - The old key is the server's: `CUSTOS_MASTER_KEY`, else `<CUSTOS_DATA_DIR>/master.key` (which
 *   must exist: this script never makes one). The database is the server's (`DATABASE_URL` or the
 *   SQLite file); stop every server first.
 * - In one transaction: every per-account data and index key is re-wrapped under the key-encryption
 *   key derived from the new master key (`deriveKey(key, 'custos/key-encryption')`, as the server
 *   does) — encrypted values are not touched — and every audit chain head, signed with a key also
 *   derived from the master key, is checked against the old key and re-signed with the new one.
 *   Anything that does not verify stops the rotation with nothing changed.
 * - Then, when the old key came from the file, the file is replaced by the new key (mode 0600);
 *   when it came from `CUSTOS_MASTER_KEY`, set that variable to the new key before restarting.
 *   Access tokens issued before are signed with a key derived from the old master key: people
 *   sign in again.
 */
import 'reflect-metadata';
import { createSecretKey } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditChainHead, isHeadSignatureValid, signHead } from '@custos/audit';
import { deriveKey } from '@custos/core';
import { LocalKeyProvider, rewrapDataKeys } from '@custos/crypto';
import { loadServerConfig } from '../src/config/server-config';
import { dataSourceOptions } from '../src/database/data-source-options';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = process.env;
  const newKey = Buffer.from((env.CUSTOS_NEW_MASTER_KEY ?? '').trim(), 'base64');
  if (newKey.length !== 32) {
    fail(
      'CUSTOS_NEW_MASTER_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).',
    );
  }
  const keyFile = join(resolve(env.CUSTOS_DATA_DIR || './data'), 'master.key');
  const fromFile = !env.CUSTOS_MASTER_KEY;
  if (fromFile && !existsSync(keyFile)) {
    fail(`No current master key: set CUSTOS_MASTER_KEY or keep ${keyFile}.`);
  }
  const config = loadServerConfig(env);
  if (config.masterKey.equals(newKey)) {
    fail('CUSTOS_NEW_MASTER_KEY is the current master key.');
  }
  const dataSource = new DataSource({
    ...dataSourceOptions(config.database),
    migrationsRun: false,
  });
  await dataSource.initialize();
  let keys = 0;
  let heads = 0;
  try {
    await dataSource.transaction(async (manager) => {
      keys = await rewrapDataKeys(
        manager,
        new LocalKeyProvider(deriveKey(config.masterKey, 'custos/key-encryption')),
        new LocalKeyProvider(deriveKey(newKey, 'custos/key-encryption')),
      );
      const oldAudit = createSecretKey(deriveKey(config.masterKey, 'custos/audit-chain-head'));
      const newAudit = createSecretKey(deriveKey(newKey, 'custos/audit-chain-head'));
      for (const head of await manager.find(AuditChainHead)) {
        if (!isHeadSignatureValid(oldAudit, head)) {
          throw new Error(
            `The audit chain head of account ${head.accountId} does not verify with the current master key; nothing was changed.`,
          );
        }
        await manager.update(
          AuditChainHead,
          { accountId: head.accountId },
          { signature: signHead(newAudit, head.accountId, head.seq, head.hash) },
        );
        heads += 1;
      }
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  } finally {
    await dataSource.destroy();
  }
  if (fromFile) {
    const temporary = `${keyFile}.new`;
    writeFileSync(temporary, newKey.toString('base64') + '\n', { mode: 0o600 });
    renameSync(temporary, keyFile);
  }
  console.log(
    JSON.stringify({
      keysRewrapped: keys,
      auditHeadsResigned: heads,
      keyFile: fromFile ? keyFile : null,
    }),
  );
  console.log(
    fromFile
      ? `${keyFile} now holds the new master key: back it up, then restart the servers.`
      : 'Set CUSTOS_MASTER_KEY to the new key, then restart the servers.',
  );
}

void main();
