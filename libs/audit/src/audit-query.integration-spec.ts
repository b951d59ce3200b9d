import { newId, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import type { AuditEventDto } from './audit-event.dto';
import { AuditService } from './audit.service';
import type { AuditEventFilters, AuditEventInput } from './audit.types';
import { createAuditTestApp, testActor, type AuditTestApp } from './testing/audit-test-app';

const HOUR = 3_600_000;

describe(AuditService.name, () => {
  describe.each(testDatabaseKinds())('query on %s', (kind) => {
    let app: AuditTestApp;
    const accountA = newId();
    const accountB = newId();
    const alice = testActor(accountA, { label: 'alice@example.com' });
    const bob = testActor(accountA, { label: 'bob@example.com' });
    const carol = testActor(accountB, { label: 'carol@example.com' });
    let start: Date;

    const record = (actor: Actor, input: AuditEventInput) =>
      app.context.runAs(actor, async () => {
        const event = await app.sut.record(input);
        app.clock.advance(HOUR);
        return event;
      });
    const seqs = (page: { results: AuditEventDto[] }) => page.results.map((event) => event.seq);
    const query = (filters: AuditEventFilters, limit?: number) =>
      app.sut.query(accountA, filters, { limit });

    beforeAll(async () => {
      app = await createAuditTestApp(kind);
      start = app.clock.now();
      await record(alice, { action: 'user.created', targetType: 'user', targetId: 'u-1' }); // 1, start
      await record(alice, { action: 'user.updated', targetType: 'user', targetId: 'u-1' }); // 2, +1h
      await record(bob, { action: 'team.created', targetType: 'team', targetId: 't-1' }); // 3, +2h
      await record(bob, { action: 'auth.login_failed', targetType: 'user', targetId: 'u-2' }); // 4, +3h
      await record(bob, { action: 'user.removed', targetType: 'user', targetId: 'u-2' }); // 5, +4h
      await record(carol, { action: 'user.created', targetType: 'user', targetId: 'u-1' }); // B's 1
    });

    afterAll(async () => {
      await app.close();
    });

    it('lists the events newest first', async () => {
      await expect(query({}).then(seqs)).resolves.toEqual([5, 4, 3, 2, 1]);
    });

    it('pages with a cursor until the last page', async () => {
      const first = await app.sut.query(accountA, {}, { limit: 2 });
      const second = await app.sut.query(
        accountA,
        {},
        { limit: 2, after: first.paging.next?.after },
      );
      const third = await app.sut.query(
        accountA,
        {},
        { limit: 2, after: second.paging.next?.after },
      );
      expect([seqs(first), seqs(second), seqs(third)]).toEqual([[5, 4], [3, 2], [1]]);
      expect(third.paging).toEqual({});
    });

    it('filters by actor', async () => {
      await expect(query({ actorId: alice.id }).then(seqs)).resolves.toEqual([2, 1]);
    });

    it('filters by exact action', async () => {
      await expect(query({ action: 'user.created' }).then(seqs)).resolves.toEqual([1]);
    });

    it('filters by action prefix', async () => {
      await expect(query({ action: 'user.' }).then(seqs)).resolves.toEqual([5, 2, 1]);
    });

    it('treats an underscore in an action prefix literally', async () => {
      const other = testActor();
      await record(other, { action: 'apixkey.created' });
      await record(other, { action: 'api_key.created' });
      const page = await app.sut.query(other.accountId, { action: 'api_key.' });
      expect(page.results.map((event) => event.action)).toEqual(['api_key.created']);
    });

    it('filters by target type and id', async () => {
      await expect(query({ targetType: 'user', targetId: 'u-2' }).then(seqs)).resolves.toEqual([
        5, 4,
      ]);
    });

    it('filters by time, from inclusive and to exclusive', async () => {
      const from = new Date(start.getTime() + HOUR);
      const to = new Date(start.getTime() + 3 * HOUR);
      await expect(query({ from, to }).then(seqs)).resolves.toEqual([3, 2]);
    });

    it('combines filters with paging', async () => {
      const first = await query({ actorId: bob.id, targetType: 'user' }, 1);
      const second = await app.sut.query(
        accountA,
        { actorId: bob.id, targetType: 'user' },
        { limit: 1, after: first.paging.next?.after },
      );
      expect([seqs(first), seqs(second), second.paging]).toEqual([[5], [4], {}]);
    });

    it('refuses a time range whose end is not after its start', async () => {
      await expect(query({ from: start, to: start })).rejects.toMatchObject({
        code: 'audit.invalid_time_range',
      });
    });

    it('refuses an invalid date', async () => {
      await expect(query({ from: new Date('nope') })).rejects.toMatchObject({
        code: 'audit.invalid_time',
      });
    });

    it('refuses an action filter that is neither an action nor a prefix', async () => {
      await expect(query({ action: 'user%' })).rejects.toMatchObject({
        code: 'audit.invalid_action',
      });
    });

    it('refuses a cursor it did not issue', async () => {
      await expect(
        app.sut.query(accountA, {}, { after: 'bm90LWEtY3Vyc29y' }),
      ).rejects.toMatchObject({
        code: 'core.invalid_cursor',
      });
    });

    it('refuses a page size above the maximum', async () => {
      await expect(query({}, 101)).rejects.toMatchObject({ code: 'audit.invalid_limit' });
    });

    it('never returns events of another account', async () => {
      await expect(app.sut.query(accountB, {}).then(seqs)).resolves.toEqual([1]);
      await expect(query({ actorId: carol.id })).resolves.toEqual({ results: [], paging: {} });
    });
  });
});
