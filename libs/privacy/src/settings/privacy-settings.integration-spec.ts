import type { Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import { AuditService } from '@custos/audit';
import { createPrivacyTestApp, type PrivacyTestApp } from '../testing';
import { PrivacyRequests } from '../requests/privacy-requests';
import { PrivacySettingsService } from './privacy-settings';
import { dueDate } from '../requests/privacy-deadline';

const staff: Actor = {
  kind: 'user',
  id: 'ann',
  userId: 'ann',
  accountId: 'paris',
  label: 'ann',
  superAdmin: false,
};
const other: Actor = { ...staff, id: 'olga', userId: 'olga', accountId: 'utc-co', label: 'olga' };

describe.each(testDatabaseKinds())('privacy settings and the clock on %s', (kind) => {
  let app: PrivacyTestApp;
  let requests: PrivacyRequests;
  let settings: PrivacySettingsService;

  beforeAll(async () => {
    app = await createPrivacyTestApp(kind, {});
    requests = app.get(PrivacyRequests);
    settings = app.get(PrivacySettingsService);
  });
  afterAll(() => app?.close());

  const setClock = (iso: string) => app.clock.advance(Date.parse(iso) - app.clock.now().getTime());
  const intake = (actor: Actor) =>
    app.as(actor, () =>
      requests.intake({ type: 'access', channel: 'email', subjectEmail: 'ada@example.com' }),
    );

  it('defaults to UTC without holidays', async () => {
    await expect(app.as(staff, () => settings.get())).resolves.toEqual({
      timeZone: 'UTC',
      holidays: [],
      updatedAt: null,
    });
  });

  it("takes the date of receipt in the account's time zone and moves due dates past its holidays", async () => {
    await app.as(staff, () => settings.update({ timeZone: 'Europe/Paris' }));
    setClock('2026-11-24T23:30:00Z'); // already the 25th in Paris
    const paris = await intake(staff);
    const utc = await intake(other);
    expect([paris.receivedOn, paris.dueOn]).toEqual(['2026-11-25', '2026-12-25']);
    expect([utc.receivedOn, utc.dueOn]).toEqual(['2026-11-24', '2026-12-24']);

    // Christmas added: the open request due on it moves to the next working day (Monday 28),
    // its date of receipt stays; a closed one and another account's stay as they were.
    const closed = await intake(staff);
    await app.as(staff, () => requests.refuse(closed.id, 'Not ours.'));
    const changed = await app.as(staff, () =>
      settings.update({ holidays: ['2026-12-25', '2026-12-25', '2026-01-01'] }),
    );
    expect(changed).toMatchObject({
      timeZone: 'Europe/Paris',
      holidays: ['2026-01-01', '2026-12-25'],
      deadlinesMoved: 1,
    });
    const moved = await app.as(staff, () => requests.get(paris.id));
    expect([moved.receivedOn, moved.dueOn]).toEqual(['2026-11-25', '2026-12-28']);
    expect((await app.as(staff, () => requests.get(closed.id))).dueOn).toBe('2026-12-25');
    expect((await app.as(other, () => requests.get(utc.id))).dueOn).toBe('2026-12-24');

    // A pause counts days in Paris: 23:30 UTC on 30 Nov is already 1 Dec there, as is the resumption.
    setClock('2026-11-30T23:30:00Z');
    await app.as(staff, () => requests.pause(paris.id));
    setClock('2026-12-01T12:00:00Z');
    const resumed = await app.as(staff, () => requests.resume(paris.id));
    expect([resumed.pausedDays, resumed.dueOn]).toEqual([0, '2026-12-28']);

    // Extension: 25 Feb 2027 (three months from receipt), a Thursday.
    const extended = await app.as(staff, () => requests.extend(paris.id, 'Many systems.'));
    expect(extended.dueOn).toBe('2027-02-25');

    const audit = await app.get(AuditService).query('paris', { targetId: paris.id }, { limit: 20 });
    expect(audit.results.map((event) => event.action)).toContain(
      'privacy.request_deadline_recomputed',
    );
    const updates = await app
      .get(AuditService)
      .query('paris', { targetId: 'paris' }, { limit: 20 });
    expect(updates.results.map((event) => event.metadata)).toContainEqual({
      timeZone: 'Europe/Paris',
      holidays: 2,
      deadlinesMoved: 1,
    });
  });

  it('attack: resumes racing a change of holidays never leave a due date computed with the old ones', async () => {
    const racer: Actor = { ...staff, accountId: `race-${kind}` };
    setClock('2027-03-01T09:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const request = await intake(racer);
      await app.as(racer, () => requests.pause(request.id));
      ids.push(request.id);
    }
    setClock('2027-03-03T09:00:00Z');
    // 1 Apr 2027 (+2 paused days = 3 Apr, a Saturday → Monday 5) and the days after: holidays.
    const holidays = ['2027-04-05', '2027-04-06', '2027-04-07'];
    const outcomes = await Promise.allSettled([
      app.as(racer, () => settings.update({ holidays })),
      ...ids.map((id) => app.as(racer, () => requests.resume(id))),
    ]);
    expect(outcomes[0].status).toBe('fulfilled');
    for (const outcome of outcomes.slice(1)) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toMatchObject({ code: 'privacy.changed_meanwhile' });
      }
    }
    for (const id of ids) {
      const row = await app.as(racer, () => requests.get(id));
      expect(row.dueOn).toBe(
        dueDate(row.receivedOn, row.extended, row.pausedDays, new Set(holidays)),
      );
    }
  });

  it('refuses an unknown time zone and a date that is not one, naming the field, changing nothing', async () => {
    const before = await app.as(staff, () => settings.get());
    for (const [input, field] of [
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      [{ timeZone: 7 }, 'timeZone'],
      [{ holidays: '2026-12-25' }, 'holidays'],
      [{ timeZone: 'Asia/Tokyo', holidays: ['2026-12-25', '2026-02-30'] }, 'holidays[1]'],
      [{ holidays: Array.from({ length: 1001 }, () => '2026-12-25') }, 'holidays'],
    ] as const) {
      await expect(app.as(staff, () => settings.update(input))).rejects.toMatchObject({
        code: 'privacy.invalid_input',
        options: { errors: [{ field }] },
      });
    }
    await expect(app.as(staff, () => settings.get())).resolves.toEqual(before);
  });
});
