import { NotificationInbox, newId } from '@custos/core';
import { eventually, testDatabaseKinds } from '@custos/core/testing';
import { APPROVAL_EXPIRY_SCHEDULE } from './approval-expiry';
import { ApprovalNotifications } from './approval-notifications';
import { createApprovalsTestApp, personActor, type ApprovalsTestApp } from './testing';

const HOUR = 3_600_000;

describe.each(testDatabaseKinds())(`${ApprovalNotifications.name} on %s`, (kind) => {
  let app: ApprovalsTestApp;

  beforeAll(async () => {
    app = await createApprovalsTestApp(kind, { expireEverySeconds: 1 });
  });

  afterAll(() => app?.close());

  /** A requester and an approver of a fresh account, and a pending request between them. */
  async function pendingRequest(subjectId: string, message?: string) {
    const accountId = newId();
    const [requester, approver] = [personActor(accountId), personActor(accountId)];
    app.kind.allow(accountId, approver.id);
    const pending = await app.as(requester, () =>
      app.sut.request({
        kind: 'test',
        subjectId,
        notify: [approver.id],
        message,
        expiresAt: new Date(app.clock.now().getTime() + HOUR),
      }),
    );
    return { requester, approver, pending };
  }

  it('shows each recipient the request by reference with its state now, and nothing to another account', async () => {
    const { requester, approver, pending } = await pendingRequest(
      'export-1',
      'for the board meeting',
    );
    await app.as(approver, () => app.sut.reject(pending.id, 'too many rows'));
    const inbox = app.module.get(NotificationInbox);

    const approverSees = await app.as(approver, () => inbox.list({ limit: 10 }));
    expect(approverSees.results).toMatchObject([
      {
        kind: 'approval_requested',
        approval: {
          id: pending.id,
          kind: 'test',
          subjectId: 'export-1',
          outcome: 'pending',
          state: 'rejected',
        },
      },
    ]);
    const requesterSees = await app.as(requester, () => inbox.list({ limit: 10 }));
    expect(requesterSees.results).toMatchObject([
      { kind: 'approval_decided', approval: { id: pending.id, outcome: 'rejected' } },
    ]);
    const outsider = personActor(newId(), { userId: approver.id });
    await expect(app.as(outsider, () => inbox.list({ limit: 10 }))).resolves.toMatchObject({
      results: [],
    });
    expect(JSON.stringify([approverSees, requesterSees])).not.toMatch(
      /board meeting|too many rows/,
    );
  });

  it(`expires due requests on the ${APPROVAL_EXPIRY_SCHEDULE} schedule`, async () => {
    const { requester, pending } = await pendingRequest('export-2');
    app.clock.advance(2 * HOUR);
    await expect(
      eventually(async () => {
        const { state } = await app.as(requester, () => app.sut.find(pending.id));
        return state === 'pending' ? undefined : state;
      }),
    ).resolves.toBe('expired');
  });
});
