import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createSecretKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { signHead } from '../hash-chain';
import { createAuditTestApp, type AuditTestApp } from '../testing/audit-test-app';
import { AuditCheckpointer } from './audit-checkpointer';
import { FileAuditWitness } from './file-audit-witness';

describe(AuditCheckpointer.name, () => {
  describe.each(testDatabaseKinds())('on %s', (kind) => {
    let app: AuditTestApp;
    let directory: string;
    let witness: FileAuditWitness;
    let sut: AuditCheckpointer;

    beforeAll(async () => {
      directory = mkdtempSync(join(tmpdir(), 'custos-witness-'));
      witness = new FileAuditWitness(join(directory, 'checkpoints.jsonl'));
      app = await createAuditTestApp(kind, { witness });
      sut = app.module.get(AuditCheckpointer);
    });

    afterAll(async () => {
      await app.close();
      rmSync(directory, { recursive: true, force: true });
    });

    async function seedEvents(count: number, accountId = newId()): Promise<string> {
      for (let i = 0; i < count; i++) {
        await app.as(() => app.sut.record({ action: 'widget.created' }), accountId);
      }
      return accountId;
    }

    async function rollBackTo(accountId: string, seq: number): Promise<void> {
      const [row] = await app.sql<{ hash: string }>(
        'SELECT hash FROM audit_event WHERE account_id = $1 AND seq = $2',
        [accountId, seq],
      );
      await app.sql('DELETE FROM audit_event WHERE account_id = $1 AND seq > $2', [accountId, seq]);
      await app.sql(
        'UPDATE audit_chain_head SET seq = $1, hash = $2, signature = $3 WHERE account_id = $4',
        [
          seq,
          row.hash,
          signHead(createSecretKey(app.signingKey), accountId, seq, row.hash),
          accountId,
        ],
      );
    }

    it('checkpoints a head that moved, once', async () => {
      const accountId = await seedEvents(2);
      await sut.checkpointAll();
      await expect(witness.newest(accountId)).resolves.toMatchObject({ accountId, seq: 2 });
      await expect(sut.checkpointAll()).resolves.toBe(0);
    });

    it('reports a head behind its newest checkpoint as rolled back', async () => {
      const accountId = await seedEvents(3);
      await sut.checkpointAll();
      await rollBackTo(accountId, 1);
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: false,
        eventsChecked: 1,
        headSeq: 1,
        checkpointSeq: 3,
        firstBrokenSeq: 2,
        reason: 'rolled_back',
      });
    });

    it('never checkpoints a head behind its newest checkpoint', async () => {
      const accountId = await seedEvents(3);
      await sut.checkpointAll();
      await rollBackTo(accountId, 2);
      await sut.checkpointAll();
      await expect(witness.newest(accountId)).resolves.toMatchObject({ seq: 3 });
    });

    it('checkpoints the head of a chain it verified', async () => {
      const accountId = await seedEvents(2);
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({ valid: true });
      await expect(witness.newest(accountId)).resolves.toMatchObject({ seq: 2 });
    });

    it('sees checkpoints another writer appended to the same file, past a torn line', async () => {
      const accountId = await seedEvents(2);
      appendFileSync(witness.path, '{"accountId":"torn\n');
      await new FileAuditWitness(witness.path).append([
        { accountId, seq: 2, hash: 'a'.repeat(64), signature: 'b'.repeat(64), at: 'now' },
      ]);
      await expect(witness.newest(accountId)).resolves.toMatchObject({ seq: 2 });
    });
  });
});
