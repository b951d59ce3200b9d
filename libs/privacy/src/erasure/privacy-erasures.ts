import { AuditService } from '@custos/audit';
import { Blacklist, normaliseAddress } from '@custos/consent';
import {
  Clock,
  CustosError,
  FileStore,
  Jobs,
  RequestContext,
  TransactionHost,
  escapeLike,
  isId,
  newId,
  type JobQueue,
} from '@custos/core';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PrivacyErrors } from '../privacy.errors';
import {
  PERSONAL_DATA_REGISTRY,
  type PersonalDataRegistry,
} from '../registry/personal-data-registry';
import type { PersonalDataSource } from '../registry/personal-data.types';
import { PrivacyRequest } from '../requests/privacy-request.entity';
import { PrivacyHostContacts } from '../restrictions/host-contacts';
import { ErasureRules, type ErasurePlan, type ErasureStep } from './erasure-rules';
import {
  SUBJECT_KEY_SHREDDER,
  USER_ERASURE_GATE,
  type ContactOutcome,
  type SourceEraser,
  type SubjectKeyShredder,
  type UserErasureGate,
} from './erasure.ports';
import { maskEmail, maskPhone, maskedSubject } from './masking';
import { PrivacyErasure, type ErasureStatus } from './privacy-erasure.entity';
import { PrivacyLog } from './privacy-log';

/** The queue erasures run on. */
export const ERASURE_QUEUE = 'privacy.erasure';
/** Contacts one erasure may name (a subject's duplicates, not a mass deletion). */
export const MAX_ERASURE_CONTACTS = 100;
/** Users one erasure may name (a person's logins, not a purge of the staff). */
export const MAX_ERASURE_USERS = 10;
const MAX_VALUES = 10;

/** What the operator confirms: the subject's contacts, users and values. */
export interface ErasureInput {
  contactIds: string[];
  userIds?: string[];
  emails?: string[];
  phones?: string[];
}

export interface ErasureView {
  id: string;
  requestId: string;
  status: ErasureStatus;
  contactsTotal: number;
  contactsDone: number;
  contactsAnonymised: number;
  usersTotal: number;
  usersDone: number;
  valuesDone: boolean;
  createdAt: Date;
  completedAt: Date | null;
}

/** Why a contact is erased: where the privacy log files it, how it names the subject, the audit's reference. */
export interface ContactErasureCause {
  /** The request's id, or the retention policy's. */
  logId: string;
  /** The subject, masked. */
  subject: string;
  audit: Record<string, string>;
  /** Anonymise even where no blocker holds the contact (a retention policy that anonymises). */
  anonymise?: boolean;
}

interface SubjectValues {
  emails: string[];
  phones: string[];
}

const ERASABLE_STATUSES = ['in_progress', 'extended'];

/**
 * The register's DPO contact is free text, not tied to a user: the controller must publish it
 * (Art. 30(1)(a), 37(7)), so a user erasure leaves it to the operator, who edits the register.
 */
const REGISTER_KEEPS_DPO: SourceEraser = {
  source: 'privacy.activity',
  keeps:
    "the register's DPO contact is published by law (Art. 30(1)(a), 37(7)); edit the register to name another",
};

const quote = (name: string) => `"${name}"`;

/**
 * Erasure of a subject (GDPR Art. 17), run as a job in steps, each one transaction: every
 * confirmed contact (its rows in every registered source deleted, its record deleted or — when a
 * registered blocker keeps it — anonymised, its data key destroyed), then the sources found by
 * the subject's values, then the end (the values forgotten, the request's subject masked). Each
 * step first moves the erasure's position with a conditional `UPDATE`, so a rerun after a crash
 * continues where the last commit left it, and two runners never do a step twice. No record is
 * ever seen half-erased: it changes in one transaction.
 */
@Injectable()
export class PrivacyErasures implements OnApplicationBootstrap {
  private readonly queue: JobQueue<{ erasureId: string }>;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly files: FileStore,
    private readonly rules: ErasureRules,
    private readonly blacklist: Blacklist,
    private readonly log: PrivacyLog,
    @Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry,
    @Inject(SUBJECT_KEY_SHREDDER) private readonly shredder: SubjectKeyShredder,
    @Inject(USER_ERASURE_GATE) private readonly users: UserErasureGate,
    private readonly host: PrivacyHostContacts,
    jobs: Jobs,
  ) {
    rules.addEraser(REGISTER_KEEPS_DPO);
    this.queue = jobs.createQueue<{ erasureId: string }>({
      name: ERASURE_QUEUE,
      // A killed instance's attempt counts: erasure must survive many crashes and finish.
      attempts: 25,
      backoffMs: 500,
      process: (job) => this.run(job.data.erasureId, job.signal),
    });
  }

  /** Unfinished erasures whose job went missing (a crash right after the commit) run again. */
  async onApplicationBootstrap(): Promise<void> {
    const running = await this.transactions.manager.find(PrivacyErasure, {
      select: { id: true, accountId: true },
      where: { status: 'running' },
    });
    for (const erasure of running) {
      await this.queue.enqueue(
        { erasureId: erasure.id },
        { key: erasure.id, accountId: erasure.accountId },
      );
    }
  }

  /** The plan for the account's registered sources (`unreached` must be empty). */
  async planOf(accountId: string): Promise<ErasurePlan> {
    return this.rules.planFor(await this.registry.sourcesOf(accountId));
  }

  /**
   * Starts erasing the subject of an erasure request that is in progress (idempotent: the
   * request's erasure, running again if unfinished). Audited without the subject's values.
   */
  async start(requestId: string, input: ErasureInput): Promise<ErasureView> {
    const actor = this.context.requireActor();
    const accountId = actor.accountId;
    const values = valuesOf(input);
    const contactIds = idsOf(input.contactIds, 'contactIds', MAX_ERASURE_CONTACTS, 'contact');
    const userIds = idsOf(input.userIds ?? [], 'userIds', MAX_ERASURE_USERS, 'user');
    if (
      contactIds.length === 0 &&
      userIds.length === 0 &&
      values.emails.length === 0 &&
      values.phones.length === 0
    ) {
      throw PrivacyErrors.invalidField(
        'contactIds',
        'name the subject: a contact, a user, an email or a phone',
      );
    }
    const erasure = await this.transactions.run(async (manager) => {
      const request = await manager.findOneBy(PrivacyRequest, { accountId, id: requestId });
      if (!request) {
        throw PrivacyErrors.requestNotFound();
      }
      const existing = await manager.findOneBy(PrivacyErasure, { accountId, requestId });
      if (existing) {
        return existing;
      }
      if (request.type !== 'erasure') {
        throw PrivacyErrors.notAnErasure();
      }
      if (!ERASABLE_STATUSES.includes(request.status)) {
        throw PrivacyErrors.wrongStatus(request.status, 'erased before it is in progress');
      }
      await this.requireContacts(manager, accountId, contactIds);
      // A user is deactivated at once (their tokens die at the next request), under the rules of
      // who may be erased; what names them goes in the erasure's steps.
      for (const [i, userId] of userIds.entries()) {
        await this.users.deactivate(userId, `userIds[${i}]`);
      }
      const now = this.clock.now();
      const row = Object.assign(new PrivacyErasure(), {
        id: newId(),
        accountId,
        requestId,
        status: 'running' as const,
        contactIds: JSON.stringify(contactIds),
        contactsDone: 0,
        contactsAnonymised: 0,
        userIds: userIds.length > 0 ? JSON.stringify(userIds) : null,
        usersDone: 0,
        subjectValues: JSON.stringify(values),
        valuesDone: false,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
        completedAt: null,
      });
      await manager.insert(PrivacyErasure, row);
      await this.audit.record({
        action: 'privacy.erasure_started',
        targetType: 'privacy_request',
        targetId: requestId,
        metadata: {
          erasureId: row.id,
          contacts: contactIds.length,
          users: userIds.length,
          emails: values.emails.length,
          phones: values.phones.length,
        },
      });
      return row;
    });
    if (erasure.status === 'running') {
      await this.queue.enqueue({ erasureId: erasure.id }, { key: erasure.id, accountId, actor });
    }
    return viewOf(erasure);
  }

  /** The erasure of a request of the account (404 when there is none). */
  async get(requestId: string): Promise<ErasureView> {
    const accountId = this.context.requireAccountId();
    const erasure = await this.transactions.manager.findOneBy(PrivacyErasure, {
      accountId,
      requestId,
    });
    if (!erasure) {
      throw PrivacyErrors.erasureNotFound();
    }
    return viewOf(erasure);
  }

  /**
   * Runs the erasure's remaining steps (what the job does); returns early when `signal` aborts —
   * the job resumes from the last committed step.
   */
  async run(erasureId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) {
        return;
      }
      const erasure = await this.transactions.manager.findOneBy(PrivacyErasure, { id: erasureId });
      if (!erasure || erasure.status === 'completed') {
        return;
      }
      const contactIds = JSON.parse(erasure.contactIds) as string[];
      if (erasure.contactsDone < contactIds.length) {
        await this.eraseContact(erasure, contactIds[erasure.contactsDone], erasure.contactsDone);
      } else if (erasure.usersDone < userIdsOf(erasure).length) {
        await this.eraseUser(erasure, userIdsOf(erasure)[erasure.usersDone], erasure.usersDone);
      } else if (!erasure.valuesDone) {
        await this.eraseValues(erasure);
      } else {
        await this.complete(erasure);
      }
    }
  }

  /**
   * One step: the account's plan, then in one transaction the claim of the step and `body` —
   * skipped when another runner did the step meanwhile.
   */
  private async step(
    erasure: PrivacyErasure,
    where: Parameters<PrivacyErasures['claim']>[2],
    set: Partial<PrivacyErasure>,
    body: (manager: EntityManager, plan: ErasurePlan) => Promise<void>,
  ): Promise<void> {
    const plan = await this.checkedPlan(erasure.accountId);
    await this.transactions.run(async (manager) => {
      if (await this.claim(manager, erasure.id, where, set)) {
        await body(manager, plan);
      }
    });
  }

  private async eraseContact(erasure: PrivacyErasure, contactId: string, index: number) {
    const { accountId } = erasure;
    const done = { contactsDone: index };
    await this.step(erasure, done, { contactsDone: index + 1 }, async (manager, plan) => {
      const outcome = await this.eraseContactIn(manager, accountId, contactId, plan, {
        logId: erasure.requestId,
        subject: maskedSubject(subjectValuesOf(erasure)),
        audit: { requestId: erasure.requestId },
      });
      if (outcome === 'anonymised') {
        await this.bump(manager, erasure.id);
      }
    });
  }

  /**
   * What erasing the contact does: `anonymised` when a registered blocker holds it (or the caller
   * asks to anonymise), else `deleted`; with the blockers that hold it. Read in `manager`.
   */
  async outcomeOf(
    manager: EntityManager,
    accountId: string,
    contactId: string,
    anonymise = false,
  ): Promise<{ outcome: ContactOutcome; blockers: string[] }> {
    const blockers: string[] = [];
    for (const blocker of this.rules.blockers()) {
      if (await blocker.holds(manager, accountId, contactId)) {
        blockers.push(blocker.key);
      }
    }
    return { outcome: anonymise || blockers.length > 0 ? 'anonymised' : 'deleted', blockers };
  }

  /**
   * Erases one contact in the caller's transaction — its rows in every registered source, its
   * record deleted or anonymised ({@link outcomeOf}), its data key destroyed — audited and written
   * to the privacy log under `cause.logId` (the request, or the retention policy). The one eraser
   * of a contact: erasure requests and retention policies both come here.
   */
  async eraseContactIn(
    manager: EntityManager,
    accountId: string,
    contactId: string,
    plan: ErasurePlan,
    cause: ContactErasureCause,
  ): Promise<ContactOutcome> {
    const { outcome, blockers } = await this.outcomeOf(
      manager,
      accountId,
      contactId,
      cause.anonymise,
    );
    const rows: Record<string, number> = {};
    // Rows about the contact first, the contact's own record (an eraser) last.
    const ordered = [
      ...plan.steps.filter((s) => s.how === 'rows_of_contact'),
      ...plan.steps.filter((s) => s.how === 'eraser'),
    ];
    for (const step of ordered) {
      const changed =
        step.how === 'rows_of_contact'
          ? await this.deleteRowsOf(manager, step, accountId, contactId)
          : step.how === 'eraser'
            ? ((await step.eraser.eraseContact?.(manager, { accountId, contactId, outcome })) ?? 0)
            : 0;
      if (changed > 0) {
        rows[step.source.key] = changed;
      }
    }
    await this.shredder.destroy(accountId, 'contact', contactId, manager);
    await this.log.write(manager, {
      accountId,
      requestId: cause.logId,
      action: outcome === 'deleted' ? 'contact_deleted' : 'contact_anonymised',
      subject: cause.subject,
      detail: { contactId, rows, blockers, keyDestroyed: true },
    });
    await this.audit.record({
      action: outcome === 'deleted' ? 'privacy.contact_erased' : 'privacy.contact_anonymised',
      targetType: 'contacts',
      targetId: contactId,
      metadata: { ...cause.audit, blockers },
    });
    return outcome;
  }

  /**
   * Erases one user in one transaction: every source of users' data through its eraser (the
   * login and membership keep their ids, so what the user owned or did stays valid), logged and
   * audited by id.
   */
  private async eraseUser(erasure: PrivacyErasure, userId: string, index: number) {
    const { accountId } = erasure;
    const done = { usersDone: index };
    await this.step(erasure, done, { usersDone: index + 1 }, async (manager, plan) => {
      const rows: Record<string, number> = {};
      const kept: Record<string, string> = {};
      for (const { source, eraser } of plan.userSteps) {
        const changed = (await eraser.eraseUser?.(manager, { accountId, userId })) ?? 0;
        if (changed > 0) {
          rows[source.key] = changed;
        }
        if (eraser.keeps) {
          kept[source.key] = eraser.keeps;
        }
      }
      await this.log.write(manager, {
        accountId,
        requestId: erasure.requestId,
        action: 'user_erased',
        subject: maskedSubject(subjectValuesOf(erasure)),
        detail: { userId, rows, kept },
      });
      await this.audit.record({
        action: 'privacy.user_erased',
        targetType: 'user',
        targetId: userId,
        metadata: { requestId: erasure.requestId },
      });
    });
  }

  private async eraseValues(erasure: PrivacyErasure): Promise<void> {
    const { accountId } = erasure;
    const plan = await this.checkedPlan(accountId);
    const values = subjectValuesOf(erasure);
    await this.transactions.run(async (manager) => {
      const claimed = await this.claim(
        manager,
        erasure.id,
        { valuesDone: false },
        { valuesDone: true },
      );
      if (!claimed) {
        return;
      }
      const rows: Record<string, number> = {};
      const kept: Record<string, string> = {};
      for (const step of plan.steps) {
        let changed = 0;
        if (step.how === 'rows_by_value') {
          changed = await this.deleteRowsByValue(manager, step, accountId, values);
        } else if (step.how === 'eraser') {
          changed = (await step.eraser.eraseValues?.(manager, { accountId, ...values })) ?? 0;
          if (step.eraser.keeps) {
            kept[step.source.key] = step.eraser.keeps;
          }
        }
        if (changed > 0) {
          rows[step.source.key] = changed;
        }
      }
      for (const email of values.emails) {
        await this.blacklist.addErased(accountId, { kind: 'email', value: email });
      }
      for (const phone of values.phones) {
        await this.blacklist.addErased(accountId, { kind: 'phone', value: phone });
      }
      await this.log.write(manager, {
        accountId,
        requestId: erasure.requestId,
        action: 'values_erased',
        subject: maskedSubject(values),
        detail: {
          rows,
          kept,
          blacklisted: values.emails.length + values.phones.length,
        },
      });
    });
  }

  private async complete(erasure: PrivacyErasure): Promise<void> {
    const values = subjectValuesOf(erasure);
    await this.transactions.run(async (manager) => {
      const now = this.clock.now();
      const claimed = await this.claim(
        manager,
        erasure.id,
        { status: 'running' },
        { status: 'completed', subjectValues: null, completedAt: now },
      );
      if (!claimed) {
        return;
      }
      // The request keeps its subject masked: it stays as the record of what was asked and done.
      const request = await manager.findOneByOrFail(PrivacyRequest, {
        accountId: erasure.accountId,
        id: erasure.requestId,
      });
      await manager.update(
        PrivacyRequest,
        { accountId: erasure.accountId, id: erasure.requestId },
        {
          subjectEmail: request.subjectEmail === null ? null : maskEmail(request.subjectEmail),
          subjectPhone: request.subjectPhone === null ? null : maskPhone(request.subjectPhone),
          subjectName: request.subjectName === null ? null : `${request.subjectName[0]}***`,
          updatedAt: now,
        },
      );
      const contacts = (JSON.parse(erasure.contactIds) as string[]).length;
      const users = userIdsOf(erasure).length;
      await this.log.write(manager, {
        accountId: erasure.accountId,
        requestId: erasure.requestId,
        action: 'erasure_completed',
        subject: maskedSubject(values),
        detail: { contacts, users, anonymised: erasure.contactsAnonymised },
      });
      await this.audit.record({
        action: 'privacy.erasure_completed',
        targetType: 'privacy_request',
        targetId: erasure.requestId,
        metadata: {
          erasureId: erasure.id,
          contacts,
          users,
          anonymised: erasure.contactsAnonymised,
        },
      });
    });
  }

  /** The account's plan; a source no rule reaches stops the erasure before it changes anything. */
  async checkedPlan(accountId: string): Promise<ErasurePlan> {
    const plan = await this.planOf(accountId);
    if (plan.unreached.length > 0) {
      throw new Error(
        `Erasure cannot reach the registered sources ${plan.unreached.join(', ')}: register a SourceEraser for each (ErasureRules.addEraser).`,
      );
    }
    return plan;
  }

  /**
   * Moves the erasure on if it still is where this step read it (`where`); `false` when another
   * runner did the step meanwhile. Taken first in the step's transaction, it also holds the
   * erasure's row until the step commits.
   */
  private async claim(
    manager: EntityManager,
    erasureId: string,
    where: Partial<Pick<PrivacyErasure, 'contactsDone' | 'usersDone' | 'valuesDone' | 'status'>>,
    set: Partial<PrivacyErasure>,
  ): Promise<boolean> {
    const result = await manager.update(
      PrivacyErasure,
      { id: erasureId, ...where },
      { ...set, updatedAt: this.clock.now() },
    );
    return (result.affected ?? 0) > 0;
  }

  private async bump(manager: EntityManager, erasureId: string): Promise<void> {
    await manager.increment(PrivacyErasure, { id: erasureId }, 'contactsAnonymised', 1);
  }

  private async requireContacts(
    manager: EntityManager,
    accountId: string,
    contactIds: string[],
  ): Promise<void> {
    if (contactIds.length === 0) {
      return;
    }
    const own = this.registry
      .sources()
      .find((source) => source.subject === 'contact' && source.subjectColumn === 'id');
    if (!own) {
      throw PrivacyErrors.invalidField('contactIds', 'no contacts are registered to erase');
    }
    const found = await manager.query<{ id: string }[]>(
      this.sql(
        `SELECT id FROM ${quote(own.table)} WHERE account_id = $1 AND id IN (${placeholders(contactIds, 2)})`,
      ),
      [accountId, ...contactIds],
    );
    const known = new Set(found.map((row) => row.id));
    for (const [i, id] of contactIds.entries()) {
      // A contact the operator may not read (the host's one rule, which restriction asks too) is
      // not theirs to erase, and answers as one that does not exist: no oracle.
      if (!known.has(id) || !(await this.readable(id))) {
        throw PrivacyErrors.invalidField(`contactIds[${i}]`, 'names no contact of the account');
      }
    }
  }

  /** Whether the operator may read the contact, archived or not (the host's `CONSENT_CONTACTS`). */
  private async readable(contactId: string): Promise<boolean> {
    try {
      await this.host.contacts.requireReadable(contactId, { includeArchived: true });
      return true;
    } catch (error) {
      if (error instanceof CustosError && error.kind === 'not_found') {
        return false;
      }
      throw error;
    }
  }

  /** Deletes the contact's rows of a source, and the stored files they name (before the commit). */
  private async deleteRowsOf(
    manager: EntityManager,
    step: Extract<ErasureStep, { how: 'rows_of_contact' }>,
    accountId: string,
    contactId: string,
  ): Promise<number> {
    const { table, subjectColumn } = step.source as PersonalDataSource & { subjectColumn: string };
    const where = `account_id = $1 AND ${quote(subjectColumn)} = $2`;
    for (const field of step.files) {
      const named = await manager.query<{ key: string | null }[]>(
        this.sql(`SELECT ${quote(field.column)} AS key FROM ${quote(table)} WHERE ${where}`),
        [accountId, contactId],
      );
      // A crash after this leaves rows naming deleted files; the rerun deletes the rows.
      for (const { key } of named) {
        if (key) {
          await this.files.delete(key);
        }
      }
    }
    return this.deleteWhere(
      manager,
      table,
      `account_id = :accountId AND ${quote(subjectColumn)} = :contactId`,
      {
        accountId,
        contactId,
      },
    );
  }

  /** Deletes the rows whose email or phone column holds a subject's value (or lists it in JSON). */
  private async deleteRowsByValue(
    manager: EntityManager,
    step: Extract<ErasureStep, { how: 'rows_by_value' }>,
    accountId: string,
    values: SubjectValues,
  ): Promise<number> {
    const all = [...values.emails, ...values.phones];
    if (all.length === 0) {
      return 0;
    }
    const parameters: Record<string, unknown> = { accountId };
    const tests: string[] = [];
    for (const field of step.columns) {
      const column = quote(field.column);
      for (const value of all) {
        const at = Object.keys(parameters).length;
        parameters[`value${at}`] = value;
        parameters[`listed${at}`] = `%${escapeLike(JSON.stringify(value))}%`;
        tests.push(
          `LOWER(${column}) = :value${at} OR LOWER(${column}) LIKE :listed${at} ESCAPE '\\'`,
        );
      }
    }
    return this.deleteWhere(
      manager,
      step.source.table,
      `account_id = :accountId AND (${tests.join(' OR ')})`,
      parameters,
    );
  }

  /** One `DELETE`; returns how many rows it deleted. */
  private async deleteWhere(
    manager: EntityManager,
    table: string,
    where: string,
    parameters: Record<string, unknown>,
  ): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from(table)
      .where(where, parameters)
      .execute();
    return result.affected ?? 0;
  }

  private sql(text: string): string {
    return this.transactions.isPostgres ? text : text.replace(/\$\d+/g, '?');
  }
}

function placeholders(values: readonly unknown[], first: number): string {
  return values.map((_, i) => `$${first + i}`).join(', ');
}

function viewOf(erasure: PrivacyErasure): ErasureView {
  return {
    id: erasure.id,
    requestId: erasure.requestId,
    status: erasure.status,
    contactsTotal: (JSON.parse(erasure.contactIds) as string[]).length,
    contactsDone: erasure.contactsDone,
    contactsAnonymised: erasure.contactsAnonymised,
    usersTotal: userIdsOf(erasure).length,
    usersDone: erasure.usersDone,
    valuesDone: Boolean(erasure.valuesDone),
    createdAt: erasure.createdAt,
    completedAt: erasure.completedAt,
  };
}

function subjectValuesOf(erasure: PrivacyErasure): SubjectValues {
  return erasure.subjectValues === null
    ? { emails: [], phones: [] }
    : (JSON.parse(erasure.subjectValues) as SubjectValues);
}

function userIdsOf(erasure: PrivacyErasure): string[] {
  return erasure.userIds === null ? [] : (JSON.parse(erasure.userIds) as string[]);
}

function idsOf(value: unknown, field: string, max: number, kind: string): string[] {
  if (!Array.isArray(value) || value.length > max) {
    throw PrivacyErrors.invalidField(field, `must be a list of at most ${max} ${kind} ids`);
  }
  value.forEach((id, i) => {
    if (typeof id !== 'string' || !isId(id)) {
      throw PrivacyErrors.invalidField(`${field}[${i}]`, `must be a ${kind} id`);
    }
  });
  return [...new Set(value as string[])];
}

function valuesOf(input: ErasureInput): SubjectValues {
  const normalised = (list: unknown, field: 'emails' | 'phones', kind: 'email' | 'phone') => {
    if (list === undefined) {
      return [];
    }
    if (!Array.isArray(list) || list.length > MAX_VALUES) {
      throw PrivacyErrors.invalidField(field, `must be a list of at most ${MAX_VALUES} values`);
    }
    return [
      ...new Set(
        list.map((value, i) => {
          const normal = typeof value === 'string' ? normaliseAddress(value) : null;
          if (normal?.kind !== kind) {
            throw PrivacyErrors.invalidField(
              `${field}[${i}]`,
              kind === 'email' ? 'must be an email address' : 'must be a phone number',
            );
          }
          return normal.value;
        }),
      ),
    ];
  };
  return {
    emails: normalised(input.emails, 'emails', 'email'),
    phones: normalised(input.phones, 'phones', 'phone'),
  };
}
