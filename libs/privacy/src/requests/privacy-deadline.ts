/**
 * The clock of a privacy request (GDPR Art. 12(3)), on calendar dates `YYYY-MM-DD` (the date of
 * receipt in the account's time zone; a request is due at the end of its due date):
 *
 * - due **one calendar month** from receipt: the same day of the next month, or the last day of
 *   that month when it has no such day (31 Jan → 28/29 Feb);
 * - extended once, to **three calendar months** from receipt, by the same rule;
 * - each pause ("waiting for the subject") moves the date by the calendar days it lasted
 *   (paused on the 3rd, resumed on the 5th: two days; paused and resumed the same day: none);
 * - a date that falls on a Saturday, a Sunday or one of the account's public holidays moves to the
 *   next working day — applied last, to the date the months and pauses give.
 */

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: string): [number, number, number] {
  const match = ISO_DATE.exec(date);
  if (!match) {
    throw new Error(`Not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function utc(date: string): number {
  const [year, month, day] = parts(date);
  return Date.UTC(year, month - 1, day);
}

function format(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Where the account keeps its dates: an IANA time zone and its public holidays. */
export interface WorkingCalendar {
  timeZone: string;
  holidays: ReadonlySet<string>;
}

export const UTC_CALENDAR: WorkingCalendar = { timeZone: 'UTC', holidays: new Set() };

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateFormats.get(timeZone);
  if (!format) {
    // en-CA writes dates as YYYY-MM-DD; the parts are read one by one all the same.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(timeZone, format);
  }
  return format;
}

/** The runtime's name of the IANA time zone `timeZone` (`utc` → `UTC`), `null` if unknown. */
export function canonicalTimeZone(timeZone: string): string | null {
  try {
    return dateFormat(timeZone).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The calendar date of an instant in `timeZone` (UTC by default). */
export function calendarDate(instant: Date, timeZone = 'UTC'): string {
  if (timeZone === 'UTC') {
    return instant.toISOString().slice(0, 10);
  }
  const parts = dateFormat(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** Whether `date` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(date: string): boolean {
  const match = ISO_DATE.exec(date);
  return match !== null && format(utc(date)) === date;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The same day `months` later, or the last day of that month when it has no such day. */
export function addCalendarMonths(date: string, months: number): string {
  const [year, month, day] = parts(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  const targetDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return format(Date.UTC(targetYear, targetMonth - 1, targetDay));
}

export function addDays(date: string, days: number): string {
  return format(utc(date) + days * DAY_MS);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utc(to) - utc(from)) / DAY_MS);
}

export function isWeekend(date: string): boolean {
  const weekday = new Date(utc(date)).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/**
 * The date itself on a working day; else the first working day after it (neither a Saturday, a
 * Sunday nor a holiday). Ends: the holidays are a finite set.
 */
export function nextWorkingDay(date: string, holidays: ReadonlySet<string> = new Set()): string {
  let day = date;
  while (isWeekend(day) || holidays.has(day)) {
    day = addDays(day, 1);
  }
  return day;
}

/** Months to answer in: one, or three once extended (Art. 12(3)). */
export const INITIAL_MONTHS = 1;
export const EXTENDED_MONTHS = 3;

/** The due date of a request received on `receivedOn`, after `pausedDays` of pauses. */
export function dueDate(
  receivedOn: string,
  extended: boolean,
  pausedDays: number,
  holidays: ReadonlySet<string> = new Set(),
): string {
  const months = extended ? EXTENDED_MONTHS : INITIAL_MONTHS;
  return nextWorkingDay(addDays(addCalendarMonths(receivedOn, months), pausedDays), holidays);
}

/**
 * An extension is decided and its reasons recorded within the first month: on or before the
 * request's unextended due date (pauses included).
 */
export function mayExtend(
  receivedOn: string,
  pausedDays: number,
  today: string,
  holidays: ReadonlySet<string> = new Set(),
): boolean {
  return today <= dueDate(receivedOn, false, pausedDays, holidays);
}

/** Calendar days of a pause (in `timeZone`) from the instant it began to the instant it ended. */
export function pausedDaysBetween(pausedAt: Date, resumedAt: Date, timeZone = 'UTC'): number {
  return Math.max(
    0,
    daysBetween(calendarDate(pausedAt, timeZone), calendarDate(resumedAt, timeZone)),
  );
}

export type DeadlineFlag = 'overdue' | 'due_soon' | null;

/** Overdue after its due date; due soon within `dueSoonDays` of it (both only while open). */
export function deadlineFlag(dueOn: string, today: string, dueSoonDays: number): DeadlineFlag {
  const left = daysBetween(today, dueOn);
  if (left < 0) {
    return 'overdue';
  }
  return left <= dueSoonDays ? 'due_soon' : null;
}
