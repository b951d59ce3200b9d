import { AuditService } from '@custos/audit';
import {
  Clock,
  RequestContext,
  TransactionHost,
  newId,
  newestFirstPage,
  type Page,
} from '@custos/core';
import { Inject, Injectable } from '@nestjs/common';
import { maskEmail } from '../erasure/masking';
import { PrivacyErrors } from '../privacy.errors';
import { PRIVACY_ASSIGNEES, type PrivacyAssignees } from './privacy-assignees';
import {
  DEFAULT_DUE_SOON_DAYS,
  DEFAULT_DUPLICATE_WINDOW_DAYS,
  PRIVACY_MODULE_OPTIONS,
  type PrivacyModuleOptions,
} from '../privacy.module-definition';
import {
  addDays,
  calendarDate,
  deadlineFlag,
  dueDate,
  mayExtend,
  pausedDaysBetween,
  type DeadlineFlag,
  type WorkingCalendar,
} from './privacy-deadline';
import { PrivacySettingsService } from '../settings/privacy-settings';
import { PrivacyRequest } from './privacy-request.entity';
import {
  PRIVACY_REQUEST_CHANNELS,
  PRIVACY_REQUEST_TYPES,
  OPEN_STATUSES as OPEN,
  RUNNING_STATUSES,
  type PrivacyRequestChannel,
  type PrivacyRequestStatus,
  type PrivacyRequestType,
} from './privacy-request.types';

const DAY_MS = 86_400_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What staff record when a request comes in. */
export interface PrivacyRequestInput {
  type: PrivacyRequestType;
  channel: PrivacyRequestChannel;
  subjectEmail?: string | null;
  subjectName?: string | null;
  subjectPhone?: string | null;
  subjectContactId?: string | null;
  /** What the subject asks, in their words. */
  details?: string | null;
  /** When it reached the account (a letter opened today may have arrived yesterday); default now. */
  receivedAt?: Date;
  /** `false` when the subject still has to prove who they are. Default `true`. */
  identityVerified?: boolean;
  assigneeUserId?: string | null;
}

export interface PrivacyRequestView {
  id: string;
  type: PrivacyRequestType;
  status: PrivacyRequestStatus;
  channel: PrivacyRequestChannel;
  subjectEmail: string | null;
  subjectName: string | null;
  subjectPhone: string | null;
  subjectContactId: string | null;
  details: string | null;
  assigneeUserId: string | null;
  receivedAt: Date;
  receivedOn: string;
  dueOn: string;
  extended: boolean;
  extensionReason: string | null;
  pausedDays: number;
  pausedAt: Date | null;
  resolution: string | null;
  duplicateOfId: string | null;
  possibleDuplicateOfId: string | null;
  /** `overdue` or `due_soon` while the clock runs; `null` otherwise. */
  flag: DeadlineFlag;
  closedAt: Date | null;
  updatedAt: Date;
}

export interface PrivacyRequestFilter {
  status?: PrivacyRequestStatus;
  flag?: 'overdue' | 'due_soon';
  assigneeUserId?: string;
}

function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw PrivacyErrors.invalidField(
      field,
      `must be a non-empty text of at most ${max} characters`,
    );
  }
  return value.trim();
}

function requiredText(value: unknown, field: string, max: number): string {
  const text = optionalText(value, field, max);
  if (text === null) {
    throw PrivacyErrors.invalidField(field, 'is required');
  }
  return text;
}

/**
 * Privacy requests and their clock (see `privacy-deadline.ts`). Every change is one conditional
 * `UPDATE … WHERE status IN (…) AND version = v`: of two concurrent changes exactly one applies,
 * the other gets 409 — and each change is audited in its transaction, without personal data.
 */
@Injectable()
export class PrivacyRequests {
  private readonly windowDays: number;
  private readonly dueSoonDays: number;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(PRIVACY_ASSIGNEES) private readonly assignees: PrivacyAssignees,
    private readonly settings: PrivacySettingsService,
    @Inject(PRIVACY_MODULE_OPTIONS) options: PrivacyModuleOptions,
  ) {
    this.windowDays = options.duplicateWindowDays ?? DEFAULT_DUPLICATE_WINDOW_DAYS;
    this.dueSoonDays = options.dueSoonDays ?? DEFAULT_DUE_SOON_DAYS;
  }

  async intake(input: PrivacyRequestInput): Promise<PrivacyRequestView> {
    if (!PRIVACY_REQUEST_TYPES.includes(input.type)) {
      throw PrivacyErrors.invalidField(
        'type',
        `must be one of ${PRIVACY_REQUEST_TYPES.join(', ')}`,
      );
    }
    if (!PRIVACY_REQUEST_CHANNELS.includes(input.channel)) {
      throw PrivacyErrors.invalidField(
        'channel',
        `must be one of ${PRIVACY_REQUEST_CHANNELS.join(', ')}`,
      );
    }
    const email = optionalText(input.subjectEmail, 'subjectEmail', 320)?.toLowerCase() ?? null;
    if (email !== null && !EMAIL.test(email)) {
      throw PrivacyErrors.invalidField('subjectEmail', 'must be an email address');
    }
    const name = optionalText(input.subjectName, 'subjectName', 200);
    const phone = optionalText(input.subjectPhone, 'subjectPhone', 40);
    const details = optionalText(input.details, 'details', 4000);
    const contactId = optionalText(input.subjectContactId, 'subjectContactId', 36);
    if (email === null && name === null && phone === null && contactId === null) {
      throw PrivacyErrors.invalidField(
        'subjectEmail',
        'name the subject: an email, a name, a phone number or a contact',
      );
    }
    const now = this.clock.now();
    const receivedAt = input.receivedAt ?? now;
    if (!(receivedAt instanceof Date) || Number.isNaN(receivedAt.getTime()) || receivedAt > now) {
      throw PrivacyErrors.invalidField('receivedAt', 'must be a time that has passed');
    }
    const actor = this.context.requireActor();
    const accountId = actor.accountId;
    if (input.assigneeUserId !== undefined && input.assigneeUserId !== null) {
      await this.requireAssignee(accountId, input.assigneeUserId);
    }
    const calendar = await this.settings.calendarOf(accountId);
    const receivedOn = calendarDate(receivedAt, calendar.timeZone);
    const row: PrivacyRequest = Object.assign(new PrivacyRequest(), {
      id: newId(),
      accountId,
      type: input.type,
      status: input.identityVerified === false ? 'identity_unverified' : 'received',
      channel: input.channel,
      subjectEmail: email,
      subjectName: name,
      subjectPhone: phone,
      details,
      subjectContactId: contactId,
      assigneeUserId: input.assigneeUserId ?? null,
      receivedAt,
      receivedOn,
      dueOn: dueDate(receivedOn, false, 0, calendar.holidays),
      extended: false,
      extensionReason: null,
      pausedDays: 0,
      pausedAt: null,
      resumeStatus: null,
      resolution: null,
      duplicateOfId: null,
      possibleDuplicateOfId: null,
      createdBy: actor.id,
      closedAt: null,
      deadlineNotice: null,
      version: 1,
      updatedAt: now,
    });
    return this.transactions.run(async (manager) => {
      row.possibleDuplicateOfId = await this.earlierRequest(row);
      await manager.insert(PrivacyRequest, row);
      await this.audit.record({
        action: 'privacy.request_received',
        targetType: 'privacy_request',
        targetId: row.id,
        metadata: {
          type: row.type,
          channel: row.channel,
          status: row.status,
          dueOn: row.dueOn,
          possibleDuplicate: row.possibleDuplicateOfId !== null,
        },
      });
      return this.view(row, calendarDate(now, calendar.timeZone));
    });
  }

  async list(
    filter: PrivacyRequestFilter,
    page: { limit?: number; after?: string },
  ): Promise<Page<PrivacyRequestView>> {
    const accountId = this.context.requireAccountId();
    const today = await this.today(accountId);
    const builder = this.transactions.manager
      .createQueryBuilder(PrivacyRequest, 'r')
      .where('r.account_id = :accountId', { accountId });
    if (filter.status) {
      builder.andWhere('r.status = :status', { status: filter.status });
    }
    if (filter.assigneeUserId) {
      builder.andWhere('r.assignee_user_id = :assignee', { assignee: filter.assigneeUserId });
    }
    if (filter.flag) {
      builder.andWhere('r.status IN (:...running)', { running: RUNNING_STATUSES });
      if (filter.flag === 'overdue') {
        builder.andWhere('r.due_on < :today', { today });
      } else {
        builder.andWhere('r.due_on >= :today AND r.due_on <= :soon', {
          today,
          soon: addDays(today, this.dueSoonDays),
        });
      }
    }
    const result = await newestFirstPage(builder, 'r.id', (row) => row.id, page);
    return { ...result, results: result.results.map((row) => this.view(row, today)) };
  }

  async get(id: string): Promise<PrivacyRequestView> {
    const row = await this.require(id);
    return this.view(row, await this.today(row.accountId));
  }

  assign(id: string, assigneeUserId: string | null): Promise<PrivacyRequestView> {
    return this.change(id, OPEN, 'assigned', async (row) => {
      if (assigneeUserId !== null) {
        await this.requireAssignee(row.accountId, assigneeUserId);
      }
      return { patch: { assigneeUserId }, metadata: { assigned: assigneeUserId !== null } };
    });
  }

  /** The work starts; the subject's identity is then taken as verified. */
  start(id: string): Promise<PrivacyRequestView> {
    return this.change(id, ['received', 'identity_unverified'], 'started', () =>
      Promise.resolve({ patch: { status: 'in_progress' }, metadata: {} }),
    );
  }

  /**
   * The subject proved who they are (the public intake's code): the request is received now, and
   * its clock starts now — before, nobody knew that the person named had asked.
   */
  verifyIdentity(id: string): Promise<PrivacyRequestView> {
    return this.change(id, ['identity_unverified'], 'identity_verified', (row, now, calendar) => {
      const receivedOn = calendarDate(now, calendar.timeZone);
      const dueOn = dueDate(receivedOn, false, row.pausedDays, calendar.holidays);
      return Promise.resolve({
        patch: { status: 'received', receivedAt: now, receivedOn, dueOn },
        metadata: { dueOn },
      });
    });
  }

  extend(id: string, reason: string): Promise<PrivacyRequestView> {
    const text = requiredText(reason, 'reason', 2000);
    return this.change(id, RUNNING_STATUSES, 'extended', (row, now, { timeZone, holidays }) => {
      if (row.extended) {
        throw PrivacyErrors.alreadyExtended();
      }
      if (!mayExtend(row.receivedOn, row.pausedDays, calendarDate(now, timeZone), holidays)) {
        throw PrivacyErrors.extensionTooLate(
          dueDate(row.receivedOn, false, row.pausedDays, holidays),
        );
      }
      const dueOn = dueDate(row.receivedOn, true, row.pausedDays, holidays);
      return Promise.resolve({
        patch: { status: 'extended', extended: true, extensionReason: text, dueOn },
        metadata: { dueOn },
      });
    });
  }

  /** Waiting for the subject (to prove who they are, or to say more): the clock stops. */
  pause(id: string): Promise<PrivacyRequestView> {
    return this.change(id, RUNNING_STATUSES, 'paused', (row, now) =>
      Promise.resolve({
        patch: { status: 'waiting_for_subject', pausedAt: now, resumeStatus: row.status },
        metadata: {},
      }),
    );
  }

  resume(id: string): Promise<PrivacyRequestView> {
    return this.change(id, ['waiting_for_subject'], 'resumed', (row, now, calendar) => {
      const pausedDays =
        row.pausedDays + pausedDaysBetween(row.pausedAt ?? now, now, calendar.timeZone);
      const dueOn = dueDate(row.receivedOn, row.extended, pausedDays, calendar.holidays);
      return Promise.resolve({
        patch: {
          status: row.resumeStatus ?? 'in_progress',
          pausedAt: null,
          resumeStatus: null,
          pausedDays,
          dueOn,
        },
        metadata: { pausedDays, dueOn },
      });
    });
  }

  complete(id: string, note: string | null): Promise<PrivacyRequestView> {
    const text = optionalText(note, 'note', 2000);
    return this.change(id, ['in_progress', 'extended'], 'completed', (_row, now) =>
      Promise.resolve({
        patch: { status: 'completed', resolution: text, closedAt: now },
        metadata: {},
      }),
    );
  }

  refuse(id: string, reason: string): Promise<PrivacyRequestView> {
    const text = requiredText(reason, 'reason', 2000);
    return this.change(id, OPEN, 'refused', (_row, now) =>
      Promise.resolve({
        patch: { status: 'refused', resolution: text, closedAt: now },
        metadata: {},
      }),
    );
  }

  /**
   * A public request whose sender never proved the mailbox (its code expired or was used up):
   * refused, and the subject it names masked with its free text dropped — nobody knows that the
   * person named asked, so nothing of them is kept beyond what tells the entries apart.
   */
  closeUnverified(id: string): Promise<PrivacyRequestView> {
    return this.change(id, ['identity_unverified'], 'verification_expired', (row, now) =>
      Promise.resolve({
        patch: {
          status: 'refused',
          resolution:
            'The sender did not confirm the request with the code mailed to them in time.',
          closedAt: now,
          subjectEmail: row.subjectEmail === null ? null : maskEmail(row.subjectEmail),
          subjectName: row.subjectName === null ? null : `${row.subjectName[0]}***`,
          details: null,
        },
        metadata: {},
      }),
    );
  }

  markDuplicate(id: string, duplicateOfId: string): Promise<PrivacyRequestView> {
    const original = requiredText(duplicateOfId, 'duplicateOfId', 36);
    return this.change(id, OPEN, 'marked_duplicate', async (row, now) => {
      const exists =
        original !== row.id &&
        (await this.transactions.manager.existsBy(PrivacyRequest, {
          accountId: row.accountId,
          id: original,
        }));
      if (!exists) {
        throw PrivacyErrors.unknownOriginal();
      }
      return {
        patch: { status: 'duplicate', duplicateOfId: original, closedAt: now },
        metadata: { duplicateOfId: original },
      };
    });
  }

  private async change(
    id: string,
    from: readonly PrivacyRequestStatus[],
    action: string,
    decide: (
      row: PrivacyRequest,
      now: Date,
      calendar: WorkingCalendar,
    ) => Promise<{ patch: Partial<PrivacyRequest>; metadata: Record<string, unknown> }>,
  ): Promise<PrivacyRequestView> {
    return this.transactions.run(async (manager) => {
      const row = await this.require(id);
      if (!from.includes(row.status)) {
        throw PrivacyErrors.wrongStatus(row.status, action.replace(/_/g, ' '));
      }
      const now = this.clock.now();
      const calendar = await this.settings.calendarOf(row.accountId, manager);
      const { patch, metadata } = await decide(row, now, calendar);
      const result = await manager
        .createQueryBuilder()
        .update(PrivacyRequest)
        .set({ ...patch, version: row.version + 1, updatedAt: now })
        .where('account_id = :accountId AND id = :id AND version = :version', {
          accountId: row.accountId,
          id: row.id,
          version: row.version,
        })
        .andWhere('status IN (:...from)', { from })
        .execute();
      if (result.affected !== 1) {
        throw PrivacyErrors.changedMeanwhile();
      }
      const changed = Object.assign(row, patch, { version: row.version + 1, updatedAt: now });
      await this.audit.record({
        action: `privacy.request_${action}`,
        targetType: 'privacy_request',
        targetId: row.id,
        metadata: { status: changed.status, ...metadata },
      });
      return this.view(changed, calendarDate(now, calendar.timeZone));
    });
  }

  /** Today's date where the account keeps its dates. */
  private async today(accountId: string): Promise<string> {
    const { timeZone } = await this.settings.calendarOf(accountId);
    return calendarDate(this.clock.now(), timeZone);
  }

  private async require(id: string): Promise<PrivacyRequest> {
    const row = await this.transactions.manager.findOneBy(PrivacyRequest, {
      accountId: this.context.requireAccountId(),
      id,
    });
    if (!row) {
      throw PrivacyErrors.requestNotFound();
    }
    return row;
  }

  private async requireAssignee(accountId: string, userId: string): Promise<void> {
    if (!(await this.assignees.mayHandle(accountId, userId))) {
      throw PrivacyErrors.notAnAssignee();
    }
  }

  /** An open or completed request of the same subject and type received within the window. */
  private async earlierRequest(row: PrivacyRequest): Promise<string | null> {
    const subject: [string, string] | null = row.subjectEmail
      ? ['subject_email', row.subjectEmail]
      : row.subjectContactId
        ? ['subject_contact_id', row.subjectContactId]
        : null;
    if (subject === null) {
      return null;
    }
    const since = new Date(row.receivedAt.getTime() - this.windowDays * DAY_MS);
    const earlier = await this.transactions.manager
      .createQueryBuilder(PrivacyRequest, 'r')
      .select('r.id', 'id')
      .where('r.account_id = :accountId AND r.type = :type', {
        accountId: row.accountId,
        type: row.type,
      })
      .andWhere(`r.${subject[0]} = :subject`, { subject: subject[1] })
      .andWhere('r.received_at >= :since', { since: since.toISOString() })
      .andWhere('r.status NOT IN (:...ignored)', { ignored: ['refused', 'duplicate'] })
      .orderBy('r.received_at', 'ASC')
      .limit(1)
      .getRawOne<{ id: string }>();
    return earlier?.id ?? null;
  }

  private view(row: PrivacyRequest, today: string): PrivacyRequestView {
    const running = RUNNING_STATUSES.includes(row.status);
    return {
      id: row.id,
      type: row.type,
      status: row.status,
      channel: row.channel,
      subjectEmail: row.subjectEmail,
      subjectName: row.subjectName,
      subjectPhone: row.subjectPhone,
      details: row.details,
      subjectContactId: row.subjectContactId,
      assigneeUserId: row.assigneeUserId,
      receivedAt: row.receivedAt,
      receivedOn: row.receivedOn,
      dueOn: row.dueOn,
      extended: row.extended,
      extensionReason: row.extensionReason,
      pausedDays: row.pausedDays,
      pausedAt: row.pausedAt,
      resolution: row.resolution,
      duplicateOfId: row.duplicateOfId,
      possibleDuplicateOfId: row.possibleDuplicateOfId,
      flag: running ? deadlineFlag(row.dueOn, today, this.dueSoonDays) : null,
      closedAt: row.closedAt,
      updatedAt: row.updatedAt,
    };
  }
}
