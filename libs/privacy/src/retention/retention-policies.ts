import { AuditService } from '@custos/audit';
import {
  Clock,
  Jobs,
  RequestContext,
  TransactionHost,
  keysetPage,
  newId,
  systemActor,
  type Page,
} from '@custos/core';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PrivacyErasures } from '../erasure/privacy-erasures';
import { PrivacyLog } from '../erasure/privacy-log';
import { PrivacyErrors } from '../privacy.errors';
import {
  PERSONAL_DATA_REGISTRY,
  type PersonalDataRegistry,
} from '../registry/personal-data-registry';
import { candidateCondition } from './retention-condition';
import type { RetentionRecordType } from './retention-record-type';
import {
  PrivacyRetentionDone,
  PrivacyRetentionPolicy,
  RETENTION_ACTIONS,
  RETENTION_CONDITIONS,
  RETENTION_CONDITIONS_OF,
  RETENTION_OBJECT_TYPES,
  type RetentionAction,
  type RetentionCondition,
  type RetentionObjectType,
} from './retention-policy.entity';
import type { ContactOutcome } from '../erasure/erasure.ports';

/** Name of the daily schedule that runs every enabled policy. */
export const RETENTION_SCHEDULE = 'privacy.retention';
/** Records selected per query of a run (each then erased in its own transaction). */
export const RETENTION_BATCH = 100;
/** Contact ids a dry run lists. */
export const DRY_RUN_PAGE = 50;
const MAX_AFTER_DAYS = 36_500;
const MAX_LEGAL_PERIOD_YEARS = 100;

export interface RetentionPolicyInput {
  name?: unknown;
  objectType?: unknown;
  condition?: unknown;
  afterDays?: unknown;
  action?: unknown;
  enabled?: unknown;
  legalPeriodYears?: unknown;
}

export interface RetentionPolicyView {
  id: string;
  name: string;
  objectType: RetentionObjectType;
  condition: RetentionCondition;
  afterDays: number;
  action: RetentionAction;
  enabled: boolean;
  legalPeriodYears: number | null;
  createdAt: Date;
  updatedAt: Date;
  lastRunAt: Date | null;
}

/** What a run would do now, without doing it. */
export interface DryRunView {
  policyId: string;
  /** Records the run would change. */
  candidates: number;
  /** Of those, per outcome (a blocker turns a deletion into an anonymisation). */
  outcomes: { deleted: number; anonymised: number };
  /** Contacts meeting the condition whose processing is restricted: skipped, never touched. */
  skippedRestricted: number;
  /** The first candidates, by id. */
  recordIds: string[];
  /** The same, for a policy on contacts. */
  contactIds?: string[];
}

/** What one run of a policy did. */
export interface RetentionRunResult {
  deleted: number;
  anonymised: number;
}

const view = (row: PrivacyRetentionPolicy): RetentionPolicyView => ({
  id: row.id,
  name: row.name,
  objectType: row.objectType,
  condition: row.condition,
  afterDays: row.afterDays,
  action: row.action,
  enabled: Boolean(row.enabled),
  legalPeriodYears: row.legalPeriodYears ?? null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  lastRunAt: row.lastRunAt,
});

/**
 * Retention policies (issue 18 item 8): per account, which contacts, companies or deals are
 * anonymised or deleted once a condition has held for a number of days. Candidates are selected
 * in SQL ({@link candidateCondition}); each is erased in its own transaction, which first claims
 * it as done for the policy — a run killed half-way continues where it stopped, and a rerun
 * changes nothing twice. Contacts go through the erasure engine
 * ({@link PrivacyErasures.eraseContactIn}); companies and deals through the host's
 * {@link RetentionRecordType}. Subjects whose processing is restricted are skipped and reported.
 */
@Injectable()
export class RetentionPolicies implements OnModuleInit {
  private readonly recordTypes = new Map<RetentionObjectType, RetentionRecordType>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly erasures: PrivacyErasures,
    private readonly log: PrivacyLog,
    private readonly jobs: Jobs,
    @Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry,
  ) {}

  onModuleInit(): void {
    this.jobs.schedule({
      name: RETENTION_SCHEDULE,
      everySeconds: 86_400,
      process: async (job) => {
        await this.runAll(job.signal);
      },
    });
  }

  /** Declares a record type policies may select (the host's, in `onModuleInit`). */
  addRecordType(type: RetentionRecordType): void {
    if (this.recordTypes.has(type.objectType)) {
      throw new Error(`Retention of ${type.objectType} is declared twice`);
    }
    this.recordTypes.set(type.objectType, type);
  }

  async create(input: RetentionPolicyInput): Promise<RetentionPolicyView> {
    const actor = this.context.requireActor();
    const fields = this.validated(input, null);
    const now = this.clock.now();
    const row = Object.assign(new PrivacyRetentionPolicy(), {
      id: newId(),
      accountId: actor.accountId,
      ...fields,
      createdBy: actor.id,
      createdAt: now,
      updatedAt: now,
      lastRunAt: null,
    });
    await this.transactions.run(async (manager) => {
      await manager.insert(PrivacyRetentionPolicy, row);
      await this.audit.record({
        action: 'privacy.retention_policy_created',
        targetType: 'privacy_retention_policy',
        targetId: row.id,
        metadata: audited(fields),
      });
    });
    return view(row);
  }

  async list(page: { limit?: number; after?: string }): Promise<Page<RetentionPolicyView>> {
    const builder = this.transactions.manager
      .createQueryBuilder(PrivacyRetentionPolicy, 'p')
      .where('p.account_id = :accountId', { accountId: this.context.requireAccountId() });
    const result = await keysetPage(builder, 'p.id', (row: PrivacyRetentionPolicy) => row.id, page);
    return { results: result.results.map(view), paging: result.paging };
  }

  async get(id: string): Promise<RetentionPolicyView> {
    return view(await this.find(this.transactions.manager, id));
  }

  async update(id: string, input: RetentionPolicyInput): Promise<RetentionPolicyView> {
    return this.transactions.run(async (manager) => {
      const row = await this.find(manager, id);
      const fields = this.validated(input, row);
      Object.assign(row, fields, { updatedAt: this.clock.now() });
      await manager.update(
        PrivacyRetentionPolicy,
        { accountId: row.accountId, id },
        { ...fields, updatedAt: row.updatedAt },
      );
      await this.audit.record({
        action: 'privacy.retention_policy_updated',
        targetType: 'privacy_retention_policy',
        targetId: id,
        metadata: audited(fields),
      });
      return view(row);
    });
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const row = await this.find(manager, id);
      await manager.delete(PrivacyRetentionDone, { accountId: row.accountId, policyId: id });
      await manager.delete(PrivacyRetentionPolicy, { accountId: row.accountId, id });
      await this.audit.record({
        action: 'privacy.retention_policy_deleted',
        targetType: 'privacy_retention_policy',
        targetId: id,
      });
    });
  }

  /** What running the policy now would change; changes nothing. */
  async dryRun(id: string): Promise<DryRunView> {
    const manager = this.transactions.manager;
    const policy = await this.find(manager, id);
    const now = this.clock.now();
    const candidates = await this.count(manager, policy, now, false);
    const skippedRestricted = await this.count(manager, policy, now, true);
    const outcomes = { deleted: 0, anonymised: 0 };
    let recordIds: string[] = [];
    // Selected in SQL, page by page; each is then classified by the blockers.
    for (let after: string | null = null; ;) {
      const ids = await this.candidates(manager, policy, now, after, RETENTION_BATCH);
      if (recordIds.length === 0) {
        recordIds = ids.slice(0, DRY_RUN_PAGE);
      }
      for (const recordId of ids) {
        const { outcome } = await this.outcomeOf(manager, policy, recordId, now);
        outcomes[outcome] += 1;
      }
      if (ids.length < RETENTION_BATCH) {
        break;
      }
      after = ids[ids.length - 1];
    }
    await this.audit.record({
      action: 'privacy.retention_dry_run',
      targetType: 'privacy_retention_policy',
      targetId: id,
      metadata: { candidates, skippedRestricted, ...outcomes },
    });
    return {
      policyId: id,
      candidates,
      outcomes,
      skippedRestricted,
      recordIds,
      ...(policy.objectType === 'contacts' ? { contactIds: recordIds } : {}),
    };
  }

  /** One run of every enabled policy of every account (what the schedule does). */
  async runAll(signal?: AbortSignal): Promise<void> {
    const policies = await this.transactions.manager.find(PrivacyRetentionPolicy, {
      where: { enabled: true },
      order: { id: 'ASC' },
    });
    for (const policy of policies) {
      if (signal?.aborted) {
        return;
      }
      await this.context.runAs(systemActor(policy.accountId), () => this.run(policy, signal));
    }
  }

  /**
   * Runs one policy in batches until no candidate is left (or `signal` aborts); audited with
   * its counts. Each contact is re-checked in its own transaction before it is erased.
   */
  async run(policy: PrivacyRetentionPolicy, signal?: AbortSignal): Promise<RetentionRunResult> {
    const now = this.clock.now();
    const erase = await this.eraser(policy, now);
    const done: RetentionRunResult = { deleted: 0, anonymised: 0 };
    // Keyset by id: a contact left as it was (changed since the page was read) is not read again.
    for (let after: string | null = null; ;) {
      const ids = await this.candidates(
        this.transactions.manager,
        policy,
        now,
        after,
        RETENTION_BATCH,
      );
      for (const recordId of ids) {
        if (signal?.aborted) {
          return done;
        }
        const outcome = await this.transactions.run(async (manager) => {
          // Still a candidate in this transaction (not updated, consented or restricted meanwhile).
          const still = await this.candidates(manager, policy, now, null, 1, recordId);
          if (still.length === 0 || !(await this.claim(manager, policy, recordId))) {
            return null;
          }
          const erased = await erase(manager, recordId);
          await manager.update(
            PrivacyRetentionDone,
            { accountId: policy.accountId, policyId: policy.id, recordId },
            { outcome: erased },
          );
          return erased;
        });
        if (outcome) {
          done[outcome] += 1;
        }
      }
      if (ids.length < RETENTION_BATCH) {
        break;
      }
      after = ids[ids.length - 1];
    }
    await this.transactions.run(async (manager) => {
      await manager.update(
        PrivacyRetentionPolicy,
        { accountId: policy.accountId, id: policy.id },
        { lastRunAt: this.clock.now() },
      );
      await this.audit.record({
        action: 'privacy.retention_run',
        targetType: 'privacy_retention_policy',
        targetId: policy.id,
        metadata: { ...done },
      });
    });
    return done;
  }

  /**
   * How the run erases one record in the caller's transaction: a contact through the erasure
   * engine (every registered source, its key destroyed, the privacy log and audit event); a
   * company or deal through the host's record type, logged and audited here.
   */
  private async eraser(
    policy: PrivacyRetentionPolicy,
    now: Date,
  ): Promise<(manager: EntityManager, recordId: string) => Promise<ContactOutcome>> {
    const { accountId } = policy;
    if (policy.objectType === 'contacts') {
      const plan = await this.erasures.checkedPlan(accountId);
      return (manager, contactId) =>
        this.erasures.eraseContactIn(manager, accountId, contactId, plan, {
          logId: policy.id,
          subject: 'retention policy',
          audit: { retentionPolicyId: policy.id },
          anonymise: policy.action === 'anonymise',
        });
    }
    const type = this.recordType(policy.objectType);
    return async (manager, recordId) => {
      const { outcome, blockers } = await this.outcomeOf(manager, policy, recordId, now);
      await type.erase(manager, { accountId, recordId, outcome });
      await this.log.write(manager, {
        accountId,
        requestId: policy.id,
        action: outcome === 'deleted' ? 'record_deleted' : 'record_anonymised',
        subject: 'retention policy',
        detail: { objectType: policy.objectType, recordId, blockers },
      });
      await this.audit.record({
        action: outcome === 'deleted' ? 'privacy.record_erased' : 'privacy.record_anonymised',
        targetType: policy.objectType,
        targetId: recordId,
        metadata: { retentionPolicyId: policy.id, blockers },
      });
      return outcome;
    };
  }

  /** `anonymised` when the policy asks it or a blocker keeps the record, else `deleted`. */
  private async outcomeOf(
    manager: EntityManager,
    policy: PrivacyRetentionPolicy,
    recordId: string,
    now: Date,
  ): Promise<{ outcome: ContactOutcome; blockers: string[] }> {
    const anonymise = policy.action === 'anonymise';
    if (policy.objectType === 'contacts') {
      return this.erasures.outcomeOf(manager, policy.accountId, recordId, anonymise);
    }
    const blockers = await this.recordType(policy.objectType).blockers(
      manager,
      policy.accountId,
      recordId,
      { legalPeriodYears: policy.legalPeriodYears ?? null, today: now.toISOString().slice(0, 10) },
    );
    return { outcome: anonymise || blockers.length > 0 ? 'anonymised' : 'deleted', blockers };
  }

  /**
   * Marks the record done for the policy, first in its transaction; `false` when another runner
   * has (on PostgreSQL the insert waits for that runner's commit, then does nothing).
   */
  private async claim(
    manager: EntityManager,
    policy: PrivacyRetentionPolicy,
    recordId: string,
  ): Promise<boolean> {
    const values = [policy.accountId, policy.id, recordId, this.clock.now().toISOString()];
    const placeholders = this.transactions.isPostgres ? '$1, $2, $3, $4' : '?, ?, ?, ?';
    const rows = await manager.query<unknown[]>(
      `INSERT INTO privacy_retention_done (account_id, policy_id, record_id, done_at, outcome) VALUES (${placeholders}, 'claimed') ON CONFLICT DO NOTHING RETURNING record_id`,
      values,
    );
    return rows.length > 0;
  }

  private recordType(objectType: RetentionObjectType): RetentionRecordType {
    const type = this.recordTypes.get(objectType);
    if (!type) {
      throw new Error(`Retention of ${objectType} is not declared by the host`);
    }
    return type;
  }

  private async find(manager: EntityManager, id: string): Promise<PrivacyRetentionPolicy> {
    const row = await manager.findOneBy(PrivacyRetentionPolicy, {
      accountId: this.context.requireAccountId(),
      id,
    });
    if (!row) {
      throw PrivacyErrors.retentionPolicyNotFound();
    }
    return row;
  }

  /** The policy's table: the contacts' own registered table, or the record type's. */
  private table(objectType: RetentionObjectType): string {
    if (objectType !== 'contacts') {
      return this.recordType(objectType).table;
    }
    const own = this.registry
      .sources()
      .find((source) => source.subject === 'contact' && source.subjectColumn === 'id');
    if (!own) {
      throw new Error('Retention policies need the contacts registered as a personal-data source.');
    }
    return own.table;
  }

  /** Candidate ids by id, after `after`; only `only` when given. */
  private async candidates(
    manager: EntityManager,
    policy: PrivacyRetentionPolicy,
    now: Date,
    after: string | null,
    limit: number,
    only?: string,
  ): Promise<string[]> {
    const condition = this.condition(policy, now, false);
    const builder = manager
      .createQueryBuilder()
      .select('c.id', 'id')
      .from(this.table(policy.objectType), 'c')
      .where(condition.sql, condition.parameters)
      .orderBy('c.id', 'ASC')
      .limit(limit);
    if (after !== null) {
      builder.andWhere('c.id > :retentionAfter', { retentionAfter: after });
    }
    if (only !== undefined) {
      builder.andWhere('c.id = :retentionOnly', { retentionOnly: only });
    }
    const rows = await builder.getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  private async count(
    manager: EntityManager,
    policy: PrivacyRetentionPolicy,
    now: Date,
    restricted: boolean,
  ): Promise<number> {
    const condition = this.condition(policy, now, restricted);
    const row = await manager
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from(this.table(policy.objectType), 'c')
      .where(condition.sql, condition.parameters)
      .getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }

  private condition(policy: PrivacyRetentionPolicy, now: Date, restricted: boolean) {
    const columns = policy.objectType === 'contacts' ? {} : this.recordType(policy.objectType);
    return candidateCondition(policy, now, restricted, columns);
  }

  /**
   * The policy's fields from `input`, checked; the condition must be one of the object type's,
   * and a type other than contacts must be declared by the host (422 naming the field).
   */
  private validated(input: RetentionPolicyInput, current: PrivacyRetentionPolicy | null) {
    const fields = validated(input, current);
    if (fields.objectType !== 'contacts' && !this.recordTypes.has(fields.objectType)) {
      throw PrivacyErrors.invalidField('objectType', 'is not available on this server');
    }
    const allowed = RETENTION_CONDITIONS_OF[fields.objectType].filter(
      (condition) => condition !== 'inactive' || this.recordTypes.get(fields.objectType)?.activity,
    );
    if (!allowed.includes(fields.condition)) {
      throw PrivacyErrors.invalidField(
        'condition',
        `must be one of ${allowed.join(', ')} for ${fields.objectType}`,
      );
    }
    return fields;
  }
}

/** The fields an audit event names: all but the free-text name (staff may write anything there). */
function audited({ name: _name, ...rest }: Pick<PrivacyRetentionPolicy, 'name'> & object) {
  return rest;
}

/** The policy's fields from `input` (all required on create; `current` given on update). */
function validated(
  input: RetentionPolicyInput,
  current: PrivacyRetentionPolicy | null,
): Pick<
  PrivacyRetentionPolicy,
  'name' | 'objectType' | 'condition' | 'afterDays' | 'action' | 'enabled' | 'legalPeriodYears'
> {
  const pick = <K extends keyof RetentionPolicyInput>(key: K) =>
    input[key] === undefined && current ? current[key] : input[key];
  const name = pick('name');
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    throw PrivacyErrors.invalidField('name', 'must be a text of 1 to 200 characters');
  }
  const oneOf = <T extends string>(field: keyof RetentionPolicyInput, values: readonly T[]): T => {
    const value = pick(field);
    if (typeof value !== 'string' || !values.includes(value as T)) {
      throw PrivacyErrors.invalidField(field, `must be one of ${values.join(', ')}`);
    }
    return value as T;
  };
  const afterDays = pick('afterDays');
  if (
    typeof afterDays !== 'number' ||
    !Number.isInteger(afterDays) ||
    afterDays < 1 ||
    afterDays > MAX_AFTER_DAYS
  ) {
    throw PrivacyErrors.invalidField(
      'afterDays',
      `must be a whole number of days from 1 to ${MAX_AFTER_DAYS}`,
    );
  }
  const enabled =
    input.enabled === undefined ? (current ? Boolean(current.enabled) : true) : input.enabled;
  if (typeof enabled !== 'boolean') {
    throw PrivacyErrors.invalidField('enabled', 'must be true or false');
  }
  const objectType = oneOf('objectType', RETENTION_OBJECT_TYPES);
  const legalPeriodYears = pick('legalPeriodYears') ?? null;
  if (
    legalPeriodYears !== null &&
    (typeof legalPeriodYears !== 'number' ||
      !Number.isInteger(legalPeriodYears) ||
      legalPeriodYears < 1 ||
      legalPeriodYears > MAX_LEGAL_PERIOD_YEARS ||
      objectType !== 'deals')
  ) {
    throw PrivacyErrors.invalidField(
      'legalPeriodYears',
      `must be null, or for deals a whole number of years from 1 to ${MAX_LEGAL_PERIOD_YEARS}`,
    );
  }
  return {
    name: name.trim(),
    objectType,
    condition: oneOf('condition', RETENTION_CONDITIONS),
    afterDays,
    action: oneOf('action', RETENTION_ACTIONS),
    enabled,
    legalPeriodYears,
  };
}
