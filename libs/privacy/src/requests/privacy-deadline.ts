/**
 * The clock of a privacy request (GDPR Art. 12(3)), on calendar dates `YYYY-MM-DD` (the UTC date
 * of receipt; a request is due at the end of its due date):
 *
 * - due **one calendar month** from receipt: the same day of the next month, or the last day of
 *   that month when it has no such day (31 Jan → 28/29 Feb);
 * - extended once, to **three calendar months** from receipt, by the same rule;
 * - each pause ("waiting for the subject") moves the date by the calendar days it lasted
 *   (paused on the 3rd, resumed on the 5th: two days; paused and resumed the same day: none);
 * - a date that falls on a Saturday or Sunday moves to the next Monday — applied last, to the
 *   date the months and pauses give.
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

/** The UTC calendar date of an instant. */
export function calendarDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
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

/** The date itself on a weekday; the next Monday on a Saturday or Sunday. */
export function nextWorkingDay(date: string): string {
  let day = date;
  while (isWeekend(day)) {
    day = addDays(day, 1);
  }
  return day;
}

/** Months to answer in: one, or three once extended (Art. 12(3)). */
export const INITIAL_MONTHS = 1;
export const EXTENDED_MONTHS = 3;

/** The due date of a request received on `receivedOn`, after `pausedDays` of pauses. */
export function dueDate(receivedOn: string, extended: boolean, pausedDays: number): string {
  const months = extended ? EXTENDED_MONTHS : INITIAL_MONTHS;
  return nextWorkingDay(addDays(addCalendarMonths(receivedOn, months), pausedDays));
}

/**
 * An extension is decided and its reasons recorded within the first month: on or before the
 * request's unextended due date (pauses included).
 */
export function mayExtend(receivedOn: string, pausedDays: number, today: string): boolean {
  return today <= dueDate(receivedOn, false, pausedDays);
}

/** Calendar days of a pause from the instant it began to the instant it ended. */
export function pausedDaysBetween(pausedAt: Date, resumedAt: Date): number {
  return Math.max(0, daysBetween(calendarDate(pausedAt), calendarDate(resumedAt)));
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
