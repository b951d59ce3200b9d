import { readAuditEvents } from '@custos/audit/testing';
import { CustosError, newId, Notification, systemActor, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { ApprovalRequest } from './approval-request.entity';
import { Approvals } from './approvals.service';
import {
  createApprovalsTestApp,
  personActor,
  TestApprovalKind,
  type ApprovalsTestApp,
} from './testing';

const HOUR = 3_600_000;
const SECRET_MESSAGE = 'please, the patient Ada Lovelace needs this';
const SECRET_REASON = 'Ada Lovelace is not your client';

describe.each(testDatabaseKinds())(`${Approvals.name} on %s`, (databaseKind) => {
  let app: ApprovalsTestApp;
  let accountId: string;
  let requester: Actor;
  let approver: Actor;
  let otherApprover: Actor;
  let bystander: Actor;

  beforeAll(async () => {
    app = await createApprovalsTestApp(databaseKind);
  });

  afterAll(() => app?.close());

  beforeEach(() => {
    accountId = newId();
    requester = personActor(accountId);
    approver = personActor(accountId);
    otherApprover = personActor(accountId);
    bystander = personActor(accountId);
    app.kind.allow(accountId, requester.id, approver.id, otherApprover.id);
    app.kind.failSettled = () => null;
    app.kind.externalRequesters = false;
  });

  const request = (overrides: Partial<Parameters<Approvals['request']>[0]> = {}) =>
    app.as(requester, () =>
      app.sut.request({
        kind: 'test',
        subjectId: newId(),
        notify: [approver.id],
        message: SECRET_MESSAGE,
        expiresAt: new Date(app.clock.now().getTime() + HOUR),
        ...overrides,
      }),
    );

  const notifications = () =>
    app.dataSource.getRepository(Notification).find({ where: { accountId }, order: { id: 'ASC' } });

  const rows = () => app.dataSource.getRepository(ApprovalRequest).findBy({ accountId });

  async function failure(work: Promise<unknown>): Promise<CustosError> {
    const error = await work.then(
      () => new Error('expected a failure'),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CustosError);
    return error as CustosError;
  }

  describe('request', () => {
    it('stores a pending request, notifies the named approvers by reference and audits it without the message', async () => {
      const view = await request({ notify: [approver.id, otherApprover.id, approver.id] });

      expect(view).toMatchObject({
        accountId,
        kind: 'test',
        requesterUserId: requester.id,
        state: 'pending',
        notifiedUserIds: [approver.id, otherApprover.id],
        message: SECRET_MESSAGE,
        decidedByUserId: null,
      });
      const sent = await notifications();
      expect(sent.map((n) => [n.kind, n.recipientUserId]).sort()).toEqual(
        [
          ['approval_requested', approver.id],
          ['approval_requested', otherApprover.id],
        ].sort(),
      );
      expect(sent[0].refs).toEqual({
        approvalId: view.id,
        approvalKind: 'test',
        subjectId: view.subjectId,
        outcome: 'pending',
      });
      const events = await readAuditEvents(app.dataSource, accountId);
      expect(events).toMatchObject([
        {
          action: 'approval.requested',
          actor: { id: requester.id },
          targetType: 'approval_request',
          targetId: view.id,
          metadata: { kind: 'test', subjectId: view.subjectId, state: 'pending' },
        },
      ]);
      expect(JSON.stringify([events, sent])).not.toContain('Ada');
    });

    it.each<[string, Partial<Actor>]>([
      ['a private app', { kind: 'private_app' }],
      ['a partner admin', { kind: 'partner_admin' }],
      ['a support session', { kind: 'support' }],
      ['a background job', { kind: 'system', userId: null }],
    ])('is refused to %s (403): only a member in person requests', async (_name, overrides) => {
      const actor = { ...personActor(accountId), ...overrides };
      const error = await failure(
        app.as(actor, () =>
          app.sut.request({
            kind: 'test',
            subjectId: 'x1',
            notify: [approver.id],
            expiresAt: new Date(app.clock.now().getTime() + HOUR),
          }),
        ),
      );
      expect(error).toMatchObject({ kind: 'forbidden', code: 'approvals.person_only' });
      // The one rule a kind's host asks before it writes anything (exports do).
      expect(app.sut.mayRequest(actor)).toBe(false);
      expect(app.sut.mayRequest(personActor(accountId))).toBe(true);
    });

    it('names notify[i] when a notified user is the requester, not an approver, or of another account (422)', async () => {
      const stranger = personActor(newId());
      app.kind.allow(stranger.accountId, stranger.id);
      for (const [notify, field] of [
        [[approver.id, requester.id], 'notify[1]'],
        [[bystander.id], 'notify[0]'],
        [[approver.id, otherApprover.id, stranger.id], 'notify[2]'],
      ] as const) {
        const error = await failure(request({ notify: [...notify] }));
        expect(error).toMatchObject({
          kind: 'validation',
          code: 'approvals.not_an_eligible_approver',
          options: { errors: [{ field }] },
        });
      }
      await expect(rows()).resolves.toEqual([]);
    });

    it('is refused with approvals.no_approver (409) when nobody but the requester may decide, and leaves nothing', async () => {
      app.kind.disallow(accountId, approver.id, otherApprover.id);
      const error = await failure(request({ notify: [requester.id] }));
      expect(error).toMatchObject({ kind: 'conflict', code: 'approvals.no_approver' });
      await expect(rows()).resolves.toEqual([]);
      await expect(notifications()).resolves.toEqual([]);
      await expect(readAuditEvents(app.dataSource, accountId)).resolves.toEqual([]);
    });

    it.each<[string, Partial<Parameters<Approvals['request']>[0]>, string]>([
      ['no approver to notify', { notify: [] }, 'notify'],
      ['an expiry in the past', { expiresAt: new Date('2025-12-31T00:00:00.000Z') }, 'expiresAt'],
      ['an expiry now', { expiresAt: new Date('2026-01-01T00:00:00.000Z') }, 'expiresAt'],
      ['a message too long', { message: 'x'.repeat(1001) }, 'message'],
      ['a blank message', { message: '  ' }, 'message'],
      ['a subject that is not an id', { subjectId: 'Ada Lovelace' }, 'subjectId'],
    ])('names the field of %s (422)', async (_name, input, field) => {
      const error = await failure(request(input));
      expect(error).toMatchObject({ kind: 'validation', options: { errors: [{ field }] } });
    });

    it('allows one pending request per subject (409), and a new one once it is decided', async () => {
      const first = await request({ subjectId: 'export-1' });
      const error = await failure(request({ subjectId: 'export-1' }));
      expect(error).toMatchObject({ kind: 'conflict', code: 'approvals.already_pending' });
      await app.as(requester, () => app.sut.revoke(first.id));
      await expect(request({ subjectId: 'export-1' })).resolves.toMatchObject({
        state: 'pending',
      });
    });

    it('refuses a kind nobody registered as a programming error, not a client error', async () => {
      const error = await request({ kind: 'unknown' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(CustosError);
    });
  });

  describe('approve and reject', () => {
    it('lets any eligible approver approve, not only those notified: settled once, requester notified, audited', async () => {
      const pending = await request({ notify: [approver.id] });
      const approved = await app.as(otherApprover, () => app.sut.approve(pending.id));

      expect(approved).toMatchObject({
        id: pending.id,
        state: 'approved',
        decidedByUserId: otherApprover.id,
        decidedAt: app.clock.now(),
      });
      expect(app.kind.settledCalls.filter((call) => call.id === pending.id)).toEqual([approved]);
      const toRequester = (await notifications()).filter((n) => n.recipientUserId === requester.id);
      expect(toRequester.map((n) => [n.kind, n.refs.outcome])).toEqual([
        ['approval_decided', 'approved'],
      ]);
      await expect(readAuditEvents(app.dataSource, accountId)).resolves.toMatchObject([
        { action: 'approval.requested' },
        {
          action: 'approval.approved',
          actor: { id: otherApprover.id },
          targetId: pending.id,
          metadata: { state: 'approved' },
        },
      ]);
    });

    it('never lets the requester decide their own request, even as an approver (403)', async () => {
      const pending = await request();
      for (const decide of [
        () => app.sut.approve(pending.id),
        () => app.sut.reject(pending.id, 'no'),
      ]) {
        const error = await failure(app.as(requester, decide));
        expect(error).toMatchObject({ kind: 'forbidden', code: 'approvals.own_request' });
      }
      await expect(app.as(approver, () => app.sut.find(pending.id))).resolves.toMatchObject({
        state: 'pending',
      });
    });

    it('answers 404 to a member who may not decide and to an approver of another account', async () => {
      const pending = await request();
      for (const work of [
        () => app.sut.approve(pending.id),
        () => app.sut.reject(pending.id, 'no'),
        () => app.sut.revoke(pending.id),
        () => app.sut.find(pending.id),
      ]) {
        const error = await failure(app.as(bystander, work));
        expect(error).toMatchObject({ kind: 'not_found', code: 'approvals.not_found' });
      }
      const outsider = personActor(newId(), { superAdmin: true });
      app.kind.allow(outsider.accountId, outsider.id);
      for (const work of [
        () => app.sut.approve(pending.id),
        () => app.sut.reject(pending.id, 'no'),
        () => app.sut.revoke(pending.id),
        () => app.sut.find(pending.id),
      ]) {
        const error = await failure(app.as(outsider, work));
        expect(error).toMatchObject({ kind: 'not_found', code: 'approvals.not_found' });
      }
      await expect(app.sut.forSubject('test', pending.subjectId)).rejects.toMatchObject({
        code: 'core.unauthenticated',
      });
      await expect(
        app.as(outsider, () => app.sut.forSubject('test', pending.subjectId)),
      ).resolves.toEqual([]);
    });

    it('refuses a decision by an API key or a partner admin acting for an approver (403)', async () => {
      const pending = await request();
      for (const kind of ['private_app', 'partner_admin', 'support'] as const) {
        const error = await failure(
          app.as({ ...approver, kind }, () => app.sut.approve(pending.id)),
        );
        expect(error).toMatchObject({ code: 'approvals.person_only' });
      }
    });

    it('requires a reason to reject (422), keeps it in the request only, and tells the requester', async () => {
      const pending = await request();
      for (const reason of ['', '   ', 'x'.repeat(1001), undefined as unknown as string]) {
        const error = await failure(app.as(approver, () => app.sut.reject(pending.id, reason)));
        expect(error).toMatchObject({
          code: 'approvals.reason_required',
          options: { errors: [{ field: 'reason' }] },
        });
      }
      const rejected = await app.as(approver, () => app.sut.reject(pending.id, SECRET_REASON));
      expect(rejected).toMatchObject({ state: 'rejected', reason: SECRET_REASON });
      const sent = await notifications();
      expect(
        sent.filter((n) => n.recipientUserId === requester.id).map((n) => n.refs.outcome),
      ).toEqual(['rejected']);
      const events = await readAuditEvents(app.dataSource, accountId);
      expect(events.map((event) => event.action)).toEqual([
        'approval.requested',
        'approval.rejected',
      ]);
      expect(JSON.stringify([events, sent])).not.toContain('Ada');
    });

    it('takes a decision once: a second one is 409 approvals.already_decided naming the state', async () => {
      const pending = await request();
      await app.as(approver, () => app.sut.approve(pending.id));
      for (const [actor, work] of [
        [otherApprover, () => app.sut.approve(pending.id)],
        [otherApprover, () => app.sut.reject(pending.id, 'too late')],
        [requester, () => app.sut.revoke(pending.id)],
      ] as const) {
        const error = await failure(app.as(actor, work));
        expect(error).toMatchObject({
          kind: 'conflict',
          code: 'approvals.already_decided',
          options: { extensions: { state: 'approved' } },
        });
      }
      expect(app.kind.settledCount(pending.id)).toBe(1);
      await expect(readAuditEvents(app.dataSource, accountId)).resolves.toHaveLength(2);
    });

    it('rolls the transition back with a failing settled: still pending, nothing audited or sent', async () => {
      const pending = await request();
      app.kind.failSettled = () => new Error('the export could not be queued');
      await expect(app.as(approver, () => app.sut.approve(pending.id))).rejects.toThrow(
        'the export could not be queued',
      );
      app.kind.failSettled = () => null;
      await expect(app.as(approver, () => app.sut.find(pending.id))).resolves.toMatchObject({
        state: 'pending',
        decidedByUserId: null,
      });
      await expect(readAuditActionsOf(app, accountId)).resolves.toEqual(['approval.requested']);
      expect((await notifications()).filter((n) => n.kind === 'approval_decided')).toEqual([]);
      await expect(app.as(approver, () => app.sut.approve(pending.id))).resolves.toMatchObject({
        state: 'approved',
      });
    });
  });

  describe('revoke', () => {
    it('lets the requester revoke, settles it, audits it and notifies nobody', async () => {
      const pending = await request();
      const revoked = await app.as(requester, () => app.sut.revoke(pending.id));
      expect(revoked).toMatchObject({ state: 'revoked', decidedByUserId: requester.id });
      expect(app.kind.settledCount(pending.id)).toBe(1);
      await expect(readAuditActionsOf(app, accountId)).resolves.toEqual([
        'approval.requested',
        'approval.revoked',
      ]);
      expect((await notifications()).map((n) => n.kind)).toEqual(['approval_requested']);
    });

    it('is refused to an approver (403): only the requester revokes', async () => {
      const pending = await request();
      const error = await failure(app.as(approver, () => app.sut.revoke(pending.id)));
      expect(error).toMatchObject({ kind: 'forbidden', code: 'approvals.not_requester' });
    });
  });

  describe('expiry', () => {
    it('refuses decisions once the time is up (409 expired), then expires it once, as the system', async () => {
      const pending = await request();
      app.clock.advance(HOUR);
      for (const [actor, work] of [
        [approver, () => app.sut.approve(pending.id)],
        [approver, () => app.sut.reject(pending.id, 'late')],
        [requester, () => app.sut.revoke(pending.id)],
      ] as const) {
        const error = await failure(app.as(actor, work));
        expect(error).toMatchObject({
          kind: 'conflict',
          code: 'approvals.expired',
          options: { extensions: { state: 'expired' } },
        });
      }
      await expect(app.sut.expireDue()).resolves.toBeGreaterThanOrEqual(1);
      await expect(app.sut.expireDue()).resolves.toBe(0);
      const expired = await app.as(requester, () => app.sut.find(pending.id));
      expect(expired).toMatchObject({ state: 'expired', decidedByUserId: null });
      expect(app.kind.settledCount(pending.id)).toBe(1);
      const events = await readAuditEvents(app.dataSource, accountId);
      expect(events.map((event) => [event.action, event.actor.kind])).toEqual([
        ['approval.requested', 'user'],
        ['approval.expired', 'system'],
      ]);
      expect(
        (await notifications())
          .filter((n) => n.recipientUserId === requester.id)
          .map((n) => n.refs.outcome),
      ).toEqual(['expired']);
      const error = await failure(app.as(approver, () => app.sut.approve(pending.id)));
      expect(error).toMatchObject({ code: 'approvals.already_decided' });
    });

    it('leaves requests whose time is not up, and those already decided', async () => {
      const soon = await request({ expiresAt: new Date(app.clock.now().getTime() + 1000) });
      const later = await request({ expiresAt: new Date(app.clock.now().getTime() + 2 * HOUR) });
      const decided = await request({ expiresAt: new Date(app.clock.now().getTime() + 1000) });
      await app.as(approver, () => app.sut.approve(decided.id));
      app.clock.advance(1000);
      await app.sut.expireDue();
      const states = Object.fromEntries((await rows()).map((row) => [row.id, row.state]));
      expect(states).toEqual({
        [soon.id]: 'expired',
        [later.id]: 'pending',
        [decided.id]: 'approved',
      });
    });

    it('expires the others when one cannot be, leaves that one pending and says so', async () => {
      const failing = await request({ expiresAt: new Date(app.clock.now().getTime() + 1000) });
      const fine = await request({ expiresAt: new Date(app.clock.now().getTime() + 1000) });
      app.kind.failSettled = (view) => (view.id === failing.id ? new Error('boom') : null);
      app.clock.advance(1000);
      await expect(app.sut.expireDue()).rejects.toThrow(
        '1 approval request(s) could not be expired',
      );
      const states = Object.fromEntries((await rows()).map((row) => [row.id, row.state]));
      expect(states).toEqual({ [failing.id]: 'pending', [fine.id]: 'expired' });
      await expect(readAuditActionsOf(app, accountId)).resolves.toEqual([
        'approval.requested',
        'approval.requested',
        'approval.expired',
      ]);
    });
  });

  describe('find and forSubject', () => {
    it('lists the requests of a subject newest first: all to approvers and the system, own ones to other members, none to other actors', async () => {
      const first = await request({ subjectId: 'export-7' });
      await app.as(requester, () => app.sut.revoke(first.id));
      app.clock.advance(1);
      app.kind.allow(accountId, bystander.id);
      const second = await app.as(bystander, () =>
        app.sut.request({
          kind: 'test',
          subjectId: 'export-7',
          notify: [approver.id],
          expiresAt: new Date(app.clock.now().getTime() + HOUR),
        }),
      );
      app.kind.disallow(accountId, bystander.id, requester.id);
      const list = (actor: Actor) => app.as(actor, () => app.sut.forSubject('test', 'export-7'));
      const ids = (views: { id: string }[]) => views.map((view) => view.id);

      await expect(list(approver).then(ids)).resolves.toEqual([second.id, first.id]);
      await expect(list(systemActor(accountId)).then(ids)).resolves.toEqual([second.id, first.id]);
      await expect(list(requester).then(ids)).resolves.toEqual([first.id]);
      await expect(list(bystander).then(ids)).resolves.toEqual([second.id]);
      await expect(list(personActor(accountId)).then(ids)).resolves.toEqual([]);
      await expect(list({ ...approver, kind: 'private_app', id: newId() })).resolves.toEqual([]);
      await expect(list({ ...approver, kind: 'support' })).resolves.toEqual([]);
      const error = await failure(app.as(requester, () => app.sut.find(second.id)));
      expect(error).toMatchObject({ code: 'approvals.not_found' });
      await expect(app.as(approver, () => app.sut.find(second.id))).resolves.toMatchObject({
        id: second.id,
      });
    });
  });

  describe('on behalf of an outsider', () => {
    const outsiderId = newId();
    const onBehalf = (actor: Actor) =>
      app.as(actor, () =>
        app.sut.request({
          kind: 'test',
          subjectId: newId(),
          notify: [otherApprover.id],
          expiresAt: new Date(app.clock.now().getTime() + HOUR),
          onBehalfOf: outsiderId,
        }),
      );

    it('lets an approver open it for the outsider, decide it, and tells the outsider nothing', async () => {
      app.kind.externalRequesters = true;
      const view = await onBehalf(approver);
      expect(view).toMatchObject({ requesterUserId: outsiderId, state: 'pending' });
      await expect(app.as(approver, () => app.sut.approve(view.id))).resolves.toMatchObject({
        state: 'approved',
        decidedByUserId: approver.id,
      });
      const recipients = (await notifications()).map((n) => n.recipientUserId);
      expect(recipients).toEqual([otherApprover.id]);
      const events = await readAuditEvents(app.dataSource, accountId);
      expect(events[0]).toMatchObject({ metadata: { onBehalfOf: outsiderId } });
    });

    it('refuses a member who may not decide (403), and kinds that take no outsiders', async () => {
      app.kind.externalRequesters = true;
      const error = await failure(onBehalf(bystander));
      expect(error).toMatchObject({ code: 'approvals.not_an_approver' });
      app.kind.externalRequesters = false;
      await expect(onBehalf(approver)).rejects.toThrow('externalRequesters');
      await expect(rows()).resolves.toEqual([]);
    });
  });
});

function readAuditActionsOf(app: ApprovalsTestApp, accountId: string): Promise<string[]> {
  return readAuditEvents(app.dataSource, accountId).then((events) => events.map((e) => e.action));
}

describe(`${Approvals.name}.register`, () => {
  it('refuses a kind registered twice, or badly named', async () => {
    const app = await createApprovalsTestApp('sqlite');
    try {
      expect(() => app.sut.register(new TestApprovalKind('test'))).toThrow('registered twice');
      expect(() => app.sut.register(new TestApprovalKind('Bad Name'))).toThrow('must be');
    } finally {
      await app.close();
    }
  });
});
