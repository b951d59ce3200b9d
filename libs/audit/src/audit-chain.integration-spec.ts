import { newId } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { AuditService } from './audit.service';
import { ERASED_ACTOR_LABEL, GENESIS_HASH, actorLabelDigest, hashEvent } from './hash-chain';
import { createAuditTestApp, type AuditTestApp } from './testing/audit-test-app';
import { readAuditEvents } from './testing/read-audit-events';

describe(AuditService.name, () => {
  describe.each(testDatabaseKinds())('verify on %s', (kind) => {
    let app: AuditTestApp;

    beforeAll(async () => {
      app = await createAuditTestApp(kind);
    });

    afterAll(async () => {
      await app.close();
    });

    /** A new account with `length` events, recorded in one transaction. */
    async function seedChain(length: number): Promise<string> {
      const accountId = newId();
      await app.as(
        () =>
          app.transactions.run(async () => {
            for (let i = 1; i <= length; i++) {
              app.clock.advance(1000);
              await app.sut.record({
                action: 'contact.updated',
                targetType: 'contact',
                targetId: `c-${i}`,
                metadata: { before: { name: `Name ${i}` }, after: { name: `Name ${i + 1}` } },
              });
            }
          }),
        accountId,
      );
      return accountId;
    }

    it('finds an untouched chain valid', async () => {
      const accountId = await seedChain(5);
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: true,
        eventsChecked: 5,
        headSeq: 5,
      });
    });

    it('reports an account without a head as a missing head', async () => {
      await expect(app.sut.verify(newId())).resolves.toEqual({
        valid: false,
        eventsChecked: 0,
        headSeq: 0,
        firstBrokenSeq: 1,
        reason: 'missing_head',
      });
    });

    it('detects an edited event', async () => {
      const accountId = await seedChain(5);
      await app.sql('UPDATE audit_event SET metadata = $1 WHERE account_id = $2 AND seq = 3', [
        '{"after":{"name":"Mallory"},"before":{"name":"Name 3"}}',
        accountId,
      ]);
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: false,
        eventsChecked: 2,
        headSeq: 5,
        firstBrokenSeq: 3,
        reason: 'hash_mismatch',
      });
    });

    it('detects an edited event whose metadata is no longer JSON', async () => {
      const accountId = await seedChain(3);
      await app.sql("UPDATE audit_event SET metadata = '{oops' WHERE account_id = $1 AND seq = 2", [
        accountId,
      ]);
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({
        valid: false,
        firstBrokenSeq: 2,
        reason: 'hash_mismatch',
      });
    });

    it('detects an edited event whose hash was recomputed by the editor', async () => {
      const accountId = await seedChain(5);
      const third = (await readAuditEvents(app.dataSource, accountId))[2];
      const forgedHash = hashEvent({
        accountId,
        seq: third.seq,
        prevHash: third.prevHash,
        occurredAt: third.occurredAt,
        actorKind: third.actor.kind,
        actorId: third.actor.id,
        actorLabel: 'someone-else@example.com',
        actorLabelDigest: actorLabelDigest('forged', 'someone-else@example.com'),
        action: third.action,
        targetType: third.targetType,
        targetId: third.targetId,
        metadataJson: JSON.stringify(third.metadata),
        requestId: third.requestId,
      });
      await app.sql(
        "UPDATE audit_event SET actor_label = $1, hash = $2, actor_label_salt = 'forged', actor_label_digest = $3 WHERE account_id = $4 AND seq = 3",
        [
          'someone-else@example.com',
          forgedHash,
          actorLabelDigest('forged', 'someone-else@example.com'),
          accountId,
        ],
      );
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({
        valid: false,
        eventsChecked: 3,
        firstBrokenSeq: 4,
        reason: 'broken_link',
      });
    });

    it("erases an actor's labels and still verifies; nothing in the rows names them", async () => {
      const accountId = await seedChain(4);
      const [first] = await readAuditEvents(app.dataSource, accountId);
      const label = first.actor.label;
      const result = await app.transactions.run((manager) =>
        app.sut.eraseActorLabels(manager, accountId, first.actor.id),
      );
      expect(result).toEqual({ erased: 4, kept: 0 });
      const rows = await app.sql('SELECT * FROM audit_event WHERE account_id = $1', [accountId]);
      expect(JSON.stringify(rows)).not.toContain(label);
      expect(rows.every((row) => row.actor_label === ERASED_ACTOR_LABEL)).toBe(true);
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: true,
        eventsChecked: 4,
        headSeq: 4,
      });
      // A second erasure finds nothing more to do.
      await expect(
        app.transactions.run((manager) =>
          app.sut.eraseActorLabels(manager, accountId, first.actor.id),
        ),
      ).resolves.toEqual({ erased: 0, kept: 0 });
    });

    it('detects an erased event given a name again, and a label changed under its salt', async () => {
      const accountId = await seedChain(3);
      const [first] = await readAuditEvents(app.dataSource, accountId);
      await app.transactions.run((manager) =>
        app.sut.eraseActorLabels(manager, accountId, first.actor.id),
      );
      await app.sql('UPDATE audit_event SET actor_label = $1 WHERE account_id = $2 AND seq = 2', [
        'mallory@example.com',
        accountId,
      ]);
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({
        valid: false,
        firstBrokenSeq: 2,
        reason: 'hash_mismatch',
      });
      const other = await seedChain(2);
      await app.sql('UPDATE audit_event SET actor_label = $1 WHERE account_id = $2 AND seq = 1', [
        'mallory@example.com',
        other,
      ]);
      await expect(app.sut.verify(other)).resolves.toMatchObject({
        valid: false,
        firstBrokenSeq: 1,
        reason: 'hash_mismatch',
      });
    });

    it('keeps the labels of events from before the digest, and counts them', async () => {
      const accountId = await seedChain(2);
      const [first] = await readAuditEvents(app.dataSource, accountId);
      // An event as stored before the digest existed: the hash over the label itself.
      await app.sql(
        'UPDATE audit_event SET actor_label_salt = NULL, actor_label_digest = NULL, hash = $1 WHERE account_id = $2 AND seq = 2',
        ['0'.repeat(64), accountId],
      );
      await expect(
        app.transactions.run((manager) =>
          app.sut.eraseActorLabels(manager, accountId, first.actor.id),
        ),
      ).resolves.toEqual({ erased: 1, kept: 1 });
    });

    it('detects a deleted event', async () => {
      const accountId = await seedChain(5);
      await app.sql('DELETE FROM audit_event WHERE account_id = $1 AND seq = 3', [accountId]);
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: false,
        eventsChecked: 2,
        headSeq: 5,
        firstBrokenSeq: 3,
        reason: 'broken_link',
      });
    });

    it('detects a deleted first event', async () => {
      const accountId = await seedChain(3);
      await app.sql('DELETE FROM audit_event WHERE account_id = $1 AND seq = 1', [accountId]);
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({
        valid: false,
        firstBrokenSeq: 1,
        reason: 'broken_link',
      });
    });

    it('detects a truncated tail', async () => {
      const accountId = await seedChain(5);
      await app.sql('DELETE FROM audit_event WHERE account_id = $1 AND seq > 3', [accountId]);
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: false,
        eventsChecked: 3,
        headSeq: 5,
        firstBrokenSeq: 4,
        reason: 'head_mismatch',
      });
    });

    it('detects a truncated tail whose head was moved back to the new last event', async () => {
      const accountId = await seedChain(5);
      const third = (await readAuditEvents(app.dataSource, accountId))[2];
      await app.sql('DELETE FROM audit_event WHERE account_id = $1 AND seq > 3', [accountId]);
      await app.sql('UPDATE audit_chain_head SET seq = 3, hash = $1 WHERE account_id = $2', [
        third.hash,
        accountId,
      ]);
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: false,
        eventsChecked: 3,
        headSeq: 3,
        firstBrokenSeq: 4,
        reason: 'bad_signature',
      });
    });

    it('detects a fully deleted chain whose head remains', async () => {
      const accountId = await seedChain(2);
      await app.sql('DELETE FROM audit_event WHERE account_id = $1', [accountId]);
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({
        valid: false,
        firstBrokenSeq: 1,
        reason: 'head_mismatch',
      });
    });

    it('detects an edited head', async () => {
      const accountId = await seedChain(3);
      await app.sql('UPDATE audit_chain_head SET signature = $1 WHERE account_id = $2', [
        GENESIS_HASH,
        accountId,
      ]);
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({
        valid: false,
        headSeq: 3,
        reason: 'bad_signature',
      });
    });

    it('detects an event appended behind the head', async () => {
      const accountId = await seedChain(2);
      const [, second] = await readAuditEvents(app.dataSource, accountId);
      const appended = {
        accountId,
        seq: 3,
        prevHash: second.hash,
        occurredAt: '2026-06-01T00:00:00.000Z',
        actorKind: 'user',
        actorId: 'x',
        actorLabel: 'x',
        action: 'contact.updated',
        targetType: null,
        targetId: null,
        metadataJson: '{}',
        requestId: null,
      };
      await app.sql(
        `INSERT INTO audit_event (id, account_id, seq, prev_hash, hash, occurred_at, actor_kind, actor_id,
           actor_label, action, target_type, target_id, metadata, request_id)
         VALUES ($1, $2, 3, $3, $4, $5, 'user', 'x', 'x', 'contact.updated', NULL, NULL, '{}', NULL)`,
        [newId(), accountId, appended.prevHash, hashEvent(appended), appended.occurredAt],
      );
      await expect(app.sut.verify(accountId)).resolves.toMatchObject({
        valid: false,
        eventsChecked: 3,
        firstBrokenSeq: 3,
        reason: 'head_mismatch',
      });
    });

    it('walks chains longer than one batch and finds a break beyond the first', async () => {
      const accountId = await seedChain(1005);
      await app.sql(
        "UPDATE audit_event SET action = 'contact.deleted' WHERE account_id = $1 AND seq = 1003",
        [accountId],
      );
      await expect(app.sut.verify(accountId)).resolves.toEqual({
        valid: false,
        eventsChecked: 1002,
        headSeq: 1005,
        firstBrokenSeq: 1003,
        reason: 'hash_mismatch',
      });
    });
  });
});
