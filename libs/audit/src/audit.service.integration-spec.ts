import { newId, systemActor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { ClsService } from 'nestjs-cls';
import { AuditService } from './audit.service';
import { GENESIS_HASH } from './hash-chain';
import {
  TestWidget,
  createAuditTestApp,
  testActor,
  type AuditTestApp,
} from './testing/audit-test-app';
import { readAuditEvents } from './testing/read-audit-events';

describe(AuditService.name, () => {
  describe.each(testDatabaseKinds())('on %s', (kind) => {
    let app: AuditTestApp;

    beforeAll(async () => {
      app = await createAuditTestApp(kind);
    });

    afterAll(async () => {
      await app.close();
    });

    const widgetCount = (accountId: string) =>
      app.dataSource.getRepository(TestWidget).countBy({ accountId });

    describe('record', () => {
      it('records the actor, account, action, target, metadata, request id and time', async () => {
        const cls = app.module.get(ClsService);
        await app.as(async (actor) => {
          cls.set('requestId', 'req-1');
          await expect(
            app.sut.record({
              action: 'user.created',
              targetType: 'user',
              targetId: 'u-1',
              metadata: { after: { email: 'grace@example.com' } },
            }),
          ).resolves.toMatchObject({
            seq: 1,
            occurredAt: app.clock.now().toISOString(),
            actor: { kind: 'user', id: actor.id, label: actor.label },
            action: 'user.created',
            targetType: 'user',
            targetId: 'u-1',
            metadata: { after: { email: 'grace@example.com' } },
            requestId: 'req-1',
            prevHash: GENESIS_HASH,
          });
        });
      });

      it('links each event to the one before it', async () => {
        const accountId = await app.as(async (actor) => {
          for (const action of ['user.created', 'user.updated', 'user.removed']) {
            await app.sut.record({ action, targetType: 'user', targetId: 'u-1' });
          }
          return actor.accountId;
        });
        const events = await readAuditEvents(app.dataSource, accountId);
        expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
        expect(events.map((e) => e.prevHash)).toEqual([
          GENESIS_HASH,
          events[0].hash,
          events[1].hash,
        ]);
      });

      it('takes the account and actor from the input where no actor is bound', async () => {
        const accountId = newId();
        await expect(
          app.sut.record({
            accountId,
            actor: { kind: 'anonymous', id: 'anonymous', label: 'mallory@example.com' },
            action: 'auth.login_failed',
          }),
        ).resolves.toMatchObject({
          seq: 1,
          actor: { kind: 'anonymous', label: 'mallory@example.com' },
          targetType: null,
        });
      });

      it('records for a system actor of an account', async () => {
        const accountId = newId();
        await expect(
          app.context.runAs(systemActor(accountId), () =>
            app.sut.record({ action: 'retention.ran' }),
          ),
        ).resolves.toMatchObject({
          seq: 1,
          actor: { kind: 'system', id: 'system', label: 'system' },
        });
      });

      it('refuses to record without an actor', async () => {
        await expect(app.sut.record({ action: 'user.created' })).rejects.toMatchObject({
          kind: 'unauthenticated',
        });
      });

      it("refuses to record into another account than the actor's", async () => {
        await expect(
          app.as(() => app.sut.record({ action: 'user.created', accountId: newId() })),
        ).rejects.toMatchObject({
          code: 'audit.cross_account',
        });
      });

      it('refuses an action that is not dot-separated lower-case words', async () => {
        await expect(
          app.as(() => app.sut.record({ action: 'User Created' })),
        ).rejects.toMatchObject({
          code: 'audit.invalid_action',
        });
      });

      it('refuses a target id without a target type', async () => {
        await expect(
          app.as(() => app.sut.record({ action: 'user.created', targetId: 'u-1' })),
        ).rejects.toMatchObject({
          code: 'audit.invalid_input',
        });
      });

      it('drops secret-looking keys anywhere in the metadata', async () => {
        const event = await app.as(() =>
          app.sut.record({
            action: 'api_key.created',
            metadata: {
              Password: 'hunter2',
              api_key: 'ck_live_1',
              after: {
                name: 'CI',
                passwordHash: '$argon2id$x',
                nested: [{ token: 'tok_1', TOKEN_hash: 1, Hash: 'h', scopes: ['export'] }],
                apiKey: 'ck_live_2',
              },
              secret: { value: 's' },
              key: 'k',
            },
          }),
        );
        expect(event.metadata).toEqual({
          after: { name: 'CI', nested: [{ TOKEN_hash: 1, scopes: ['export'] }] },
        });
        const [row] = await app.sql<{ metadata: string }>(
          'SELECT metadata FROM audit_event WHERE id = $1',
          [event.id],
        );
        expect(row.metadata).not.toMatch(/hunter2|ck_live|argon2|tok_1/);
      });

      it('refuses metadata that is not a JSON object', async () => {
        const metadata = ['not', 'an', 'object'] as unknown as Record<string, unknown>;
        await expect(
          app.as(() => app.sut.record({ action: 'user.created', metadata })),
        ).rejects.toMatchObject({
          code: 'audit.invalid_metadata',
        });
      });
    });

    describe('transactions', () => {
      const createWidget = (accountId: string) =>
        app.transactions.manager.insert(TestWidget, { id: newId(), accountId, name: 'w' });

      it('commits the event together with the change it describes', async () => {
        const accountId = await app.as((actor) =>
          app.transactions.run(async () => {
            await createWidget(actor.accountId);
            await app.sut.record({ action: 'widget.created' });
            return actor.accountId;
          }),
        );
        await expect(widgetCount(accountId)).resolves.toBe(1);
        await expect(readAuditEvents(app.dataSource, accountId)).resolves.toHaveLength(1);
      });

      it('rolls the event back when the change fails after it', async () => {
        const accountId = newId();
        await expect(
          app.as(
            () =>
              app.transactions.run(async () => {
                await createWidget(accountId);
                await app.sut.record({ action: 'widget.created' });
                throw new Error('the change failed');
              }),
            accountId,
          ),
        ).rejects.toThrow('the change failed');
        await expect(readAuditEvents(app.dataSource, accountId)).resolves.toEqual([]);
        // Not even the head is left: the account's chain is as if it never began.
        await expect(app.sut.verify(accountId)).resolves.toMatchObject({
          eventsChecked: 0,
          headSeq: 0,
          reason: 'missing_head',
        });
      });

      it('fails the change when the audit write fails', async () => {
        const accountId = newId();
        await app.as(() => app.sut.record({ action: 'widget.created' }), accountId);
        // A row written behind Custos' back takes seq 2, so the next append cannot be inserted.
        await app.sql(
          `INSERT INTO audit_event (id, account_id, seq, prev_hash, hash, occurred_at, actor_kind, actor_id,
             actor_label, action, target_type, target_id, metadata, request_id)
           VALUES ($1, $2, 2, $3, $4, '2026-01-01T00:00:00.000Z', 'user', 'x', 'x', 'widget.created', NULL, NULL, '{}', NULL)`,
          [newId(), accountId, GENESIS_HASH, GENESIS_HASH],
        );
        await expect(
          app.as(
            () =>
              app.transactions.run(async () => {
                await createWidget(accountId);
                await app.sut.record({ action: 'widget.created' });
              }),
            accountId,
          ),
        ).rejects.toMatchObject({ code: 'audit.chain_conflict' });
        await expect(widgetCount(accountId)).resolves.toBe(0);
      });

      it('refuses to extend a chain whose head was edited, failing the change', async () => {
        const accountId = newId();
        await app.as(() => app.sut.record({ action: 'widget.created' }), accountId);
        await app.sql('UPDATE audit_chain_head SET seq = 7 WHERE account_id = $1', [accountId]);
        await expect(
          app.as(
            () =>
              app.transactions.run(async () => {
                await createWidget(accountId);
                await app.sut.record({ action: 'widget.created' });
              }),
            accountId,
          ),
        ).rejects.toMatchObject({ code: 'audit.chain_head_invalid' });
        await expect(widgetCount(accountId)).resolves.toBe(0);
      });
    });

    describe('concurrency', () => {
      it('gives 60 concurrent writers of one new account seq 1..60 without a gap or fork', async () => {
        const accountId = newId();
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            app.context.runAs(testActor(accountId), () =>
              app.transactions.run(async () => {
                await app.transactions.manager.insert(TestWidget, {
                  id: newId(),
                  accountId,
                  name: `w${i}`,
                });
                await app.sut.record({
                  action: 'widget.created',
                  targetType: 'widget',
                  targetId: String(i),
                });
              }),
            ),
          ),
        );
        const events = await readAuditEvents(app.dataSource, accountId);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
        expect(new Set(events.map((e) => e.prevHash)).size).toBe(60);
        await expect(app.sut.verify(accountId)).resolves.toEqual({
          valid: true,
          eventsChecked: 60,
          headSeq: 60,
        });
      });

      it('chains 60 concurrent appends, half alone and half in transactions, without a gap or fork', async () => {
        const accountId = newId();
        await app.as(() => app.sut.record({ action: 'account.created' }), accountId);
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            app.context.runAs(testActor(accountId), () => {
              const append = () =>
                app.sut.record({
                  action: 'record.viewed',
                  targetId: String(i),
                  targetType: 'widget',
                });
              return i % 2 === 0 ? append() : app.transactions.run(append);
            }),
          ),
        );
        const events = await readAuditEvents(app.dataSource, accountId);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
        expect(new Set(events.map((e) => e.targetId)).size).toBe(61);
        await expect(app.sut.verify(accountId)).resolves.toEqual({
          valid: true,
          eventsChecked: 61,
          headSeq: 61,
        });
      });
    });

    describe('accounts', () => {
      it('keeps an independent chain per account', async () => {
        const [a, b] = [newId(), newId()];
        await app.as(async () => {
          await app.sut.record({ action: 'user.created' });
          await app.sut.record({ action: 'user.updated' });
        }, a);
        const first = await app.as(() => app.sut.record({ action: 'user.created' }), b);
        expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
        await expect(app.sut.verify(a)).resolves.toEqual({
          valid: true,
          eventsChecked: 2,
          headSeq: 2,
        });
        await expect(app.sut.verify(b)).resolves.toEqual({
          valid: true,
          eventsChecked: 1,
          headSeq: 1,
        });
      });
    });
  });
});
