import fc from 'fast-check';
import {
  addCalendarMonths,
  addDays,
  calendarDate,
  canonicalTimeZone,
  daysBetween,
  daysInMonth,
  deadlineFlag,
  dueDate,
  isCalendarDate,
  isWeekend,
  mayExtend,
  nextWorkingDay,
  pausedDaysBetween,
} from './privacy-deadline';

describe('the calendar-month clock of a privacy request', () => {
  it.each([
    ['2026-01-15', '2026-02-15'], // a Sunday: the weekend rule comes after
    ['2026-03-10', '2026-04-10'], // Friday stays
    ['2026-01-31', '2026-02-28'], // no 31 Feb: the last day (Saturday 28 → Monday 2 Mar below)
    ['2024-01-31', '2024-02-29'], // leap year: 29 Feb 2024, a Thursday
    ['2025-01-29', '2025-02-28'], // 29 Feb missing in 2025 → 28, a Friday
    ['2026-03-31', '2026-04-30'], // April has 30 days, Thursday
    ['2026-12-15', '2027-01-15'], // across the year, Friday
    ['2026-05-31', '2026-06-30'], // Tuesday
  ])(
    'received %s: the same date next month or its last day, %s before the weekend rule',
    (received, expected) => {
      expect(addCalendarMonths(received, 1)).toBe(expected);
    },
  );

  it.each([
    ['2026-01-15', '2026-02-16'], // Sunday 15 Feb → Monday
    ['2026-01-31', '2026-03-02'], // Saturday 28 Feb → Monday 2 Mar
    ['2024-01-31', '2024-02-29'], // leap day, a Thursday
    ['2026-02-14', '2026-03-16'], // Saturday 14 Mar → Monday
    ['2026-03-10', '2026-04-10'],
  ])('received %s: due %s', (received, due) => {
    expect(dueDate(received, false, 0)).toBe(due);
  });

  it('extends to three months from receipt, by the same rules', () => {
    expect(dueDate('2025-11-30', true, 0)).toBe('2026-03-02'); // 28 Feb 2026 is a Saturday
    expect(dueDate('2023-11-29', true, 0)).toBe('2024-02-29');
    expect(dueDate('2026-01-10', true, 0)).toBe('2026-04-10');
  });

  it('moves by the paused days, then to a working day', () => {
    expect(dueDate('2026-03-10', false, 3)).toBe('2026-04-13'); // 13 Apr is a Monday
    expect(dueDate('2026-03-10', false, 1)).toBe('2026-04-13'); // Sat 11 → Mon 13
  });

  it('counts a pause in calendar days crossed', () => {
    expect(
      pausedDaysBetween(new Date('2026-03-03T23:00:00Z'), new Date('2026-03-05T01:00:00Z')),
    ).toBe(2);
    expect(
      pausedDaysBetween(new Date('2026-03-03T08:00:00Z'), new Date('2026-03-03T18:00:00Z')),
    ).toBe(0);
  });

  it('allows an extension only within the first month', () => {
    expect(mayExtend('2026-03-10', 0, '2026-04-10')).toBe(true);
    expect(mayExtend('2026-03-10', 0, '2026-04-11')).toBe(false);
    expect(mayExtend('2026-03-10', 5, '2026-04-15')).toBe(true);
  });

  it('flags overdue and due-soon requests', () => {
    expect(deadlineFlag('2026-04-10', '2026-04-11', 7)).toBe('overdue');
    expect(deadlineFlag('2026-04-10', '2026-04-10', 7)).toBe('due_soon');
    expect(deadlineFlag('2026-04-10', '2026-04-03', 7)).toBe('due_soon');
    expect(deadlineFlag('2026-04-10', '2026-04-02', 7)).toBeNull();
  });

  const date = fc
    .date({
      min: new Date('1999-01-01T00:00:00Z'),
      max: new Date('2100-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  it('properties: due on a weekday, never more than two days after the month mark, never before it', () => {
    fc.assert(
      fc.property(date, fc.boolean(), fc.nat(60), (received, extended, paused) => {
        const due = dueDate(received, extended, paused);
        const mark = addCalendarMonths(received, extended ? 3 : 1);
        const shift = daysBetween(mark, due) - paused;
        expect(isWeekend(due)).toBe(false);
        expect(shift).toBeGreaterThanOrEqual(0);
        expect(shift).toBeLessThanOrEqual(2);
        expect(daysBetween(received, due)).toBeGreaterThanOrEqual(28);
      }),
      { numRuns: 500 },
    );
  });

  it('properties: the month mark keeps the day, or is the last day of a shorter month', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 3 }), (received, months) => {
        const mark = addCalendarMonths(received, months);
        const [y, m, d] = mark.split('-').map(Number);
        const day = Number(received.slice(8, 10));
        const monthIndex =
          Number(received.slice(0, 4)) * 12 + Number(received.slice(5, 7)) - 1 + months;
        expect(y * 12 + m - 1).toBe(monthIndex);
        expect(d).toBe(Math.min(day, daysInMonth(y, m)));
      }),
      { numRuns: 500 },
    );
  });

  it('properties: later receipt never gives an earlier due date; an extension never shortens', () => {
    fc.assert(
      fc.property(date, fc.nat(40), fc.nat(30), (received, later, paused) => {
        const other = new Date(Date.parse(received) + later * 86_400_000)
          .toISOString()
          .slice(0, 10);
        expect(dueDate(other, false, paused) >= dueDate(received, false, paused)).toBe(true);
        expect(dueDate(received, true, paused) > dueDate(received, false, paused)).toBe(true);
        expect(nextWorkingDay(dueDate(received, false, paused))).toBe(
          dueDate(received, false, paused),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('reads the date of receipt in the time zone: 23:30 UTC is the next day in Paris', () => {
    const at = new Date('2026-03-10T23:30:00Z');
    expect(calendarDate(at, 'UTC')).toBe('2026-03-10');
    expect(calendarDate(at, 'Europe/Paris')).toBe('2026-03-11');
    expect(calendarDate(new Date('2026-03-11T03:00:00Z'), 'America/New_York')).toBe('2026-03-10');
    expect(calendarDate(new Date('2026-12-31T11:00:00Z'), 'Pacific/Kiritimati')).toBe('2027-01-01');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
  });

  it('moves past public holidays as past weekends', () => {
    // 25 Dec 2026 is a Friday: with Christmas a holiday, the next working day is Monday 28.
    const christmas = new Set(['2026-12-25']);
    expect(dueDate('2026-11-25', false, 0)).toBe('2026-12-25');
    expect(dueDate('2026-11-25', false, 0, christmas)).toBe('2026-12-28');
    // A holiday on the Monday after a weekend mark: Tuesday.
    expect(dueDate('2026-02-28', false, 0, new Set(['2026-03-30']))).toBe('2026-03-31');
    expect(mayExtend('2026-11-25', 0, '2026-12-28', christmas)).toBe(true);
    expect(mayExtend('2026-11-25', 0, '2026-12-28')).toBe(false);
  });

  it('checks calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
  });

  const ZONES = [
    'UTC',
    'Europe/Paris',
    'Europe/London',
    'America/New_York',
    'America/St_Johns',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
  ];
  const zone = fc.constantFrom(...ZONES);
  const instant = fc.date({
    min: new Date('1999-01-01T00:00:00Z'),
    max: new Date('2100-12-31T00:00:00Z'),
    noInvalidDate: true,
  });
  // Holidays near the marks the generated dates reach, so they often matter.
  const holidays = (around: string) =>
    fc
      .uniqueArray(fc.integer({ min: 0, max: 120 }), { maxLength: 25 })
      .map((offsets) => new Set(offsets.map((days) => addDays(around, days))));

  it('properties: the date in a time zone is the local date, at most a day from UTC', () => {
    fc.assert(
      fc.property(instant, zone, (at, timeZone) => {
        const local = calendarDate(at, timeZone);
        expect(local).toBe(at.toLocaleDateString('sv-SE', { timeZone }));
        expect(Math.abs(daysBetween(calendarDate(at), local))).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('properties: with holidays, due on the first working day on or after the month mark plus pauses', () => {
    fc.assert(
      fc.property(
        date.chain((received) => fc.tuple(fc.constant(received), holidays(received))),
        fc.boolean(),
        fc.nat(60),
        ([received, off], extended, paused) => {
          const due = dueDate(received, extended, paused, off);
          const earliest = addDays(addCalendarMonths(received, extended ? 3 : 1), paused);
          expect(isWeekend(due) || off.has(due)).toBe(false);
          expect(due >= earliest).toBe(true);
          for (let day = earliest; day < due; day = addDays(day, 1)) {
            expect(isWeekend(day) || off.has(day)).toBe(true);
          }
          // Holidays only ever push the date later.
          expect(due >= dueDate(received, extended, paused)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('properties: the extension reaches three months, longer pauses never shorten, under holidays', () => {
    fc.assert(
      fc.property(
        date.chain((received) => fc.tuple(fc.constant(received), holidays(received))),
        fc.nat(30),
        fc.nat(30),
        ([received, off], paused, more) => {
          const initial = dueDate(received, false, paused, off);
          const extended = dueDate(received, true, paused, off);
          expect(extended > initial).toBe(true);
          expect(extended >= addCalendarMonths(received, 3)).toBe(true);
          expect(dueDate(received, false, paused + more, off) >= initial).toBe(true);
          expect(mayExtend(received, paused, initial, off)).toBe(true);
          expect(mayExtend(received, paused, addDays(initial, 1), off)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('properties: a pause split in two counts the same days in any time zone', () => {
    fc.assert(
      fc.property(instant, fc.nat(40 * 86_400), fc.nat(40 * 86_400), zone, (a, s1, s2, tz) => {
        const b = new Date(a.getTime() + s1 * 1000);
        const c = new Date(b.getTime() + s2 * 1000);
        const whole = pausedDaysBetween(a, c, tz);
        expect(whole).toBe(pausedDaysBetween(a, b, tz) + pausedDaysBetween(b, c, tz));
        expect(whole).toBe(daysBetween(calendarDate(a, tz), calendarDate(c, tz)));
        expect(pausedDaysBetween(c, a, tz)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
