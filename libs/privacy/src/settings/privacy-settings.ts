import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost } from '@custos/core';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PrivacyErrors } from '../privacy.errors';
import {
  UTC_CALENDAR,
  canonicalTimeZone,
  dueDate,
  isCalendarDate,
  type WorkingCalendar,
} from '../requests/privacy-deadline';
import { PrivacyRequest } from '../requests/privacy-request.entity';
import { OPEN_STATUSES } from '../requests/privacy-request.types';
import { PrivacySettings } from './privacy-settings.entity';

/** Public holidays an account may list (some forty years of a country's). */
export const MAX_HOLIDAYS = 1000;

export interface PrivacySettingsInput {
  timeZone?: unknown;
  holidays?: unknown;
}

export interface PrivacySettingsView {
  timeZone: string;
  holidays: string[];
  /** `null` while the account keeps the defaults. */
  updatedAt: Date | null;
}

interface Moved {
  id: string;
  status: string;
  dueOn: string;
  previousDueOn: string;
}

/** What a change of the settings did to the open requests' deadlines. */
export interface PrivacySettingsChange extends PrivacySettingsView {
  deadlinesMoved: number;
}

/**
 * An account's privacy settings and the working calendar the request clock reads them as. A change
 * applies to new requests' receipt dates, and recomputes the due date of every open request from
 * its stored date of receipt, paused days and extension: staff who add a forgotten holiday expect
 * the request due on it to move. The date of receipt itself never moves — it was the date where
 * the account was when the request came in.
 */
@Injectable()
export class PrivacySettingsService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** The account's working calendar (UTC without holidays until it is set). */
  async calendarOf(accountId: string, manager?: EntityManager): Promise<WorkingCalendar> {
    const row = await (manager ?? this.transactions.manager).findOneBy(PrivacySettings, {
      accountId,
    });
    return row ? { timeZone: row.timeZone, holidays: new Set(row.holidays) } : UTC_CALENDAR;
  }

  async get(): Promise<PrivacySettingsView> {
    const row = await this.transactions.manager.findOneBy(PrivacySettings, {
      accountId: this.context.requireAccountId(),
    });
    return row
      ? { timeZone: row.timeZone, holidays: row.holidays, updatedAt: row.updatedAt }
      : { timeZone: UTC_CALENDAR.timeZone, holidays: [], updatedAt: null };
  }

  /** Sets the fields given (the others stay); audited, open deadlines recomputed. */
  async update(input: PrivacySettingsInput): Promise<PrivacySettingsChange> {
    const actor = this.context.requireActor();
    const timeZone = input.timeZone === undefined ? undefined : validTimeZone(input.timeZone);
    const holidays = input.holidays === undefined ? undefined : validHolidays(input.holidays);
    return this.transactions.run(async (manager) => {
      const current = await this.get();
      const row: PrivacySettings = Object.assign(new PrivacySettings(), {
        accountId: actor.accountId,
        timeZone: timeZone ?? current.timeZone,
        holidays: holidays ?? current.holidays,
        updatedBy: actor.id,
        updatedAt: this.clock.now(),
      });
      await manager.upsert(PrivacySettings, row, ['accountId']);
      const deadlinesMoved = await this.recomputeOpen(manager, actor.accountId, row.holidays);
      await this.audit.record({
        action: 'privacy.settings_updated',
        targetType: 'privacy_settings',
        targetId: actor.accountId,
        metadata: { timeZone: row.timeZone, holidays: row.holidays.length, deadlinesMoved },
      });
      return {
        timeZone: row.timeZone,
        holidays: row.holidays,
        updatedAt: row.updatedAt,
        deadlinesMoved,
      };
    });
  }

  /** Each open request's due date under `holidays`, written (and audited) where it moves. */
  private async recomputeOpen(
    manager: EntityManager,
    accountId: string,
    holidays: readonly string[],
  ): Promise<number> {
    const calendar = new Set(holidays);
    const open = await manager
      .createQueryBuilder(PrivacyRequest, 'r')
      .where('r.account_id = :accountId', { accountId })
      .andWhere('r.status IN (:...open)', { open: OPEN_STATUSES })
      .getMany();
    // Every request row first, the audit events after: a request change locks its row, then the
    // audit chain; taking them in the other order here would deadlock with it.
    const moved: Moved[] = [];
    for (const row of open) {
      const move = await this.recompute(manager, row, calendar);
      if (move) {
        moved.push(move);
      }
    }
    for (const { id, status, dueOn, previousDueOn } of moved) {
      await this.audit.record({
        action: 'privacy.request_deadline_recomputed',
        targetType: 'privacy_request',
        targetId: id,
        metadata: { status, dueOn, previousDueOn },
      });
    }
    return moved.length;
  }

  /**
   * Writes the request's due date under `holidays`, bumping its version even when the date stays:
   * a change of the request that read the old holidays then misses its versioned update (409),
   * instead of writing a date computed with them. One that committed first makes this update
   * miss: the row is read again and recomputed, until it is closed or written. The move, if the
   * date moved.
   */
  private async recompute(
    manager: EntityManager,
    request: PrivacyRequest,
    holidays: ReadonlySet<string>,
  ): Promise<Moved | null> {
    for (let row: PrivacyRequest | null = request; row && OPEN_STATUSES.includes(row.status);) {
      const dueOn = dueDate(row.receivedOn, row.extended, row.pausedDays, holidays);
      const result = await manager
        .createQueryBuilder()
        .update(PrivacyRequest)
        .set({ dueOn, version: row.version + 1, updatedAt: this.clock.now() })
        .where('account_id = :accountId AND id = :id AND version = :version', {
          accountId: row.accountId,
          id: row.id,
          version: row.version,
        })
        .execute();
      if (result.affected === 1) {
        return dueOn === row.dueOn
          ? null
          : { id: row.id, status: row.status, dueOn, previousDueOn: row.dueOn };
      }
      row = await manager.findOneBy(PrivacyRequest, { accountId: row.accountId, id: row.id });
    }
    return null;
  }
}

function validTimeZone(value: unknown): string {
  const zone = typeof value === 'string' && value.length <= 64 ? canonicalTimeZone(value) : null;
  if (zone === null) {
    throw PrivacyErrors.invalidField('timeZone', 'must be an IANA time zone, e.g. Europe/Paris');
  }
  return zone;
}

function validHolidays(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_HOLIDAYS) {
    throw PrivacyErrors.invalidField(
      'holidays',
      `must be a list of at most ${MAX_HOLIDAYS} dates (YYYY-MM-DD)`,
    );
  }
  value.forEach((date: unknown, i) => {
    if (typeof date !== 'string' || !isCalendarDate(date)) {
      throw PrivacyErrors.invalidField(`holidays[${i}]`, 'must be a calendar date (YYYY-MM-DD)');
    }
  });
  return [...new Set(value as string[])].sort();
}
