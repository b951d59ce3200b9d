import { readAuditEvents } from '@custos/audit/testing';
import { CustosError, newId, type Actor } from '@custos/core';
import { FixedClock } from '@custos/core/testing';
import type { ApprovalState } from './approval.types';
import { Approvals } from './approvals.service';
import { createApprovalsTestApp, personActor, type ApprovalsTestApp } from './testing';

const HOUR = 3_600_000;
const ROUNDS_PER_RACE = 60;
const RACES = ['approve/approve', 'approve/reject', 'approve/revoke', 'approve/expire'] as const;
type Race = (typeof RACES)[number];

/**
 * Decisions racing on PostgreSQL, each in its own transaction on its own pooled connection. Two
 * instances share the database: `now` stands an hour before the requests expire, `later` an hour
 * after (clock skew between servers), so for approve/expire both conditional updates would match
 * alone and only the row lock decides.
 */
describe(`${Approvals.name} under concurrent decisions on postgres`, () => {
  let now: ApprovalsTestApp;
  let later: ApprovalsTestApp;
  const accountId = newId();
  const requester = personActor(accountId);
  const first = personActor(accountId);
  const second = personActor(accountId);

  beforeAll(async () => {
    now = await createApprovalsTestApp('postgres');
    later = await createApprovalsTestApp('postgres', {
      database: now.database,
      auditSigningKey: now.auditSigningKey,
      clock: new FixedClock(new Date(now.clock.now().getTime() + 2 * HOUR)),
    });
    for (const app of [now, later]) {
      app.kind.allow(accountId, requester.id, first.id, second.id);
    }
  });

  afterAll(async () => {
    await later?.close();
    await now?.close();
  });

  const as = <T>(actor: Actor, work: () => Promise<T>) => now.as(actor, work);

  /** Both sides of a race, started in the same tick; each says what it did. */
  function contenders(race: Race, id: string): Promise<ApprovalState | null>[] {
    const approve = as(first, () => now.sut.approve(id)).then((view) => view.state);
    switch (race) {
      case 'approve/approve':
        return [approve, as(second, () => now.sut.approve(id)).then((view) => view.state)];
      case 'approve/reject':
        return [approve, as(second, () => now.sut.reject(id, 'no')).then((view) => view.state)];
      case 'approve/revoke':
        return [approve, as(requester, () => now.sut.revoke(id)).then((view) => view.state)];
      case 'approve/expire':
        return [approve, later.sut.expireDue().then((count) => (count === 1 ? 'expired' : null))];
    }
  }

  it(`takes exactly one decision per request in ${RACES.length * ROUNDS_PER_RACE} rounds: one settled, one audit event per transition`, async () => {
    const outcomes: Record<string, Record<string, number>> = {};
    const expected = new Map<string, ApprovalState>();
    for (let round = 0; round < ROUNDS_PER_RACE; round += 1) {
      for (const race of RACES) {
        const request = await as(requester, () =>
          now.sut.request({
            kind: 'test',
            subjectId: `${race.replace('/', '-')}-${round}`,
            notify: [first.id],
            expiresAt: new Date(now.clock.now().getTime() + HOUR),
          }),
        );
        const settled = await Promise.allSettled(contenders(race, request.id));
        const won = settled.flatMap((result) =>
          result.status === 'fulfilled' && result.value !== null ? [result.value] : [],
        );
        const lost = settled.flatMap((result) =>
          result.status === 'rejected' ? [result.reason as unknown] : [],
        );
        expect({ race, won: won.length }).toEqual({ race, won: 1 });
        for (const error of lost) {
          expect(error).toBeInstanceOf(CustosError);
          expect(error).toMatchObject({ kind: 'conflict', code: 'approvals.already_decided' });
        }
        expected.set(request.id, won[0]);
        outcomes[race] = { ...outcomes[race], [won[0]]: (outcomes[race]?.[won[0]] ?? 0) + 1 };
      }
    }

    const rows = await now.sql<{ id: string; state: ApprovalState }>(
      'SELECT id, state FROM custos_approval_request WHERE account_id = $1',
      [accountId],
    );
    expect(new Map(rows.map((row) => [row.id, row.state]))).toEqual(expected);
    const settledCounts = new Map<string, number>();
    for (const call of [...now.kind.settledCalls, ...later.kind.settledCalls]) {
      settledCounts.set(call.id, (settledCounts.get(call.id) ?? 0) + 1);
    }
    expect([...settledCounts.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(new Set(settledCounts.values())).toEqual(new Set([1]));
    const events = await readAuditEvents(now.dataSource, accountId);
    const transitions = new Map<string, string[]>();
    for (const event of events) {
      transitions.set(event.targetId ?? '', [
        ...(transitions.get(event.targetId ?? '') ?? []),
        event.action,
      ]);
    }
    expect(transitions).toEqual(
      new Map(
        [...expected].map(([id, state]) => [id, ['approval.requested', `approval.${state}`]]),
      ),
    );
    // The figures of this run (which side won how often), for the report; not asserted.
    console.log(JSON.stringify({ storm: outcomes }));
  });
});
