import type { Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { AuditService } from '@custos/audit';
import { createPrivacyTestApp, type PrivacyTestApp } from '../testing';
import { PrivacyRequests } from './privacy-requests';

const DAY = 86_400_000;
const staff: Actor = {
  kind: 'user',
  id: 'ann',
  userId: 'ann',
  accountId: 'acme',
  label: 'ann',
  superAdmin: false,
};
const other: Actor = { ...staff, id: 'olga', userId: 'olga', accountId: 'globex', label: 'olga' };

describe.each(testDatabaseKinds())('privacy requests on %s', (kind) => {
  let app: PrivacyTestApp;
  let requests: PrivacyRequests;

  beforeAll(async () => {
    app = await createPrivacyTestApp(kind, { duplicateWindowDays: 30, dueSoonDays: 7 });
    requests = app.get(PrivacyRequests);
    app.assignees.allow('acme', 'bob');
  });
  afterAll(() => app?.close());

  const setClock = (iso: string) => app.clock.advance(Date.parse(iso) - app.clock.now().getTime());

  it('runs the clock through a pause, an extension and completion, each change audited', async () => {
    setClock('2026-01-31T10:00:00Z');
    const received = await app.as(staff, () =>
      requests.intake({ type: 'access', channel: 'email', subjectEmail: ' Ada@Example.com ' }),
    );
    expect(received).toMatchObject({
      status: 'received',
      subjectEmail: 'ada@example.com',
      receivedOn: '2026-01-31',
      dueOn: '2026-03-02', // 28 Feb 2026 is a Saturday
      flag: null,
    });
    await app.as(staff, () => requests.start(received.id));
    setClock('2026-02-03T09:00:00Z');
    await app.as(staff, () => requests.pause(received.id));
    setClock('2026-02-06T09:00:00Z');
    const resumed = await app.as(staff, () => requests.resume(received.id));
    expect(resumed).toMatchObject({ status: 'in_progress', pausedDays: 3, dueOn: '2026-03-03' });
    const extended = await app.as(staff, () => requests.extend(received.id, 'Many systems.'));
    expect(extended).toMatchObject({ status: 'extended', dueOn: '2026-05-04' }); // 31 Jan + 3 months = 30 Apr, + 3 days = 3 May (Sunday)
    await expect(app.as(staff, () => requests.extend(received.id, 'Again.'))).rejects.toMatchObject(
      {
        code: 'privacy.already_extended',
      },
    );
    const done = await app.as(staff, () => requests.complete(received.id, null));
    expect(done.status).toBe('completed');
    await expect(app.as(staff, () => requests.refuse(received.id, 'No.'))).rejects.toMatchObject({
      code: 'privacy.wrong_status',
    });
    const events = await app
      .get(AuditService)
      .query('acme', { targetId: received.id }, { limit: 20 });
    const actions = events.results.map((event) => event.action);
    expect(actions.sort()).toEqual(
      [
        'privacy.request_received',
        'privacy.request_started',
        'privacy.request_paused',
        'privacy.request_resumed',
        'privacy.request_extended',
        'privacy.request_completed',
      ].sort(),
    );
  });

  it('refuses an extension after the first month, and flags overdue and due-soon requests', async () => {
    setClock('2026-03-10T08:00:00Z');
    const request = await app.as(staff, () =>
      requests.intake({ type: 'erasure', channel: 'post', subjectName: 'Bo Berg' }),
    );
    expect(request.dueOn).toBe('2026-04-10');
    setClock('2026-04-03T08:00:00Z');
    expect((await app.as(staff, () => requests.get(request.id))).flag).toBe('due_soon');
    setClock('2026-04-11T08:00:00Z');
    expect((await app.as(staff, () => requests.get(request.id))).flag).toBe('overdue');
    const overdue = await app.as(staff, () => requests.list({ flag: 'overdue' }, {}));
    expect(overdue.results.map((r) => r.id)).toContain(request.id);
    await expect(app.as(staff, () => requests.extend(request.id, 'Late.'))).rejects.toMatchObject({
      code: 'privacy.extension_too_late',
    });
  });

  it('names an earlier request of the same subject and type within the window as a possible duplicate', async () => {
    setClock('2026-06-01T08:00:00Z');
    const first = await app.as(staff, () =>
      requests.intake({ type: 'portability', channel: 'email', subjectEmail: 'cy@example.com' }),
    );
    app.clock.advance(10 * DAY);
    const second = await app.as(staff, () =>
      requests.intake({ type: 'portability', channel: 'web_form', subjectEmail: 'CY@example.com' }),
    );
    const otherType = await app.as(staff, () =>
      requests.intake({ type: 'erasure', channel: 'email', subjectEmail: 'cy@example.com' }),
    );
    app.clock.advance(25 * DAY);
    const late = await app.as(staff, () =>
      requests.intake({ type: 'portability', channel: 'email', subjectEmail: 'cy@example.com' }),
    );
    expect([second.possibleDuplicateOfId, otherType.possibleDuplicateOfId]).toEqual([
      first.id,
      null,
    ]);
    expect(late.possibleDuplicateOfId).toBe(second.id);
    const closed = await app.as(staff, () => requests.markDuplicate(second.id, first.id));
    expect(closed).toMatchObject({ status: 'duplicate', duplicateOfId: first.id });
    await expect(app.as(other, () => requests.get(first.id))).rejects.toMatchObject({
      code: 'privacy.request_not_found',
    });
  });

  it('checks input and assignees, naming the field', async () => {
    await expect(
      app.as(staff, () => requests.intake({ type: 'access', channel: 'email' })),
    ).rejects.toMatchObject({ code: 'privacy.invalid_input' });
    await expect(
      app.as(staff, () =>
        requests.intake({
          type: 'access',
          channel: 'email',
          subjectEmail: 'x@example.com',
          assigneeUserId: 'eve',
        }),
      ),
    ).rejects.toMatchObject({ code: 'privacy.not_an_assignee' });
    const assigned = await app.as(staff, () =>
      requests.intake({
        type: 'access',
        channel: 'email',
        subjectEmail: 'x@example.com',
        assigneeUserId: 'bob',
      }),
    );
    expect(assigned.assigneeUserId).toBe('bob');
  });
});
