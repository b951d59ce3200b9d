import type { EntityManager } from 'typeorm';
import type { ContactOutcome } from '../erasure/erasure.ports';
import type { ClosedColumns } from './retention-condition';

/** What a policy tells the blockers: the legal period of its closed records, and today (UTC). */
export interface RetentionBlockerContext {
  legalPeriodYears: number | null;
  today: string;
}
import type { RetentionObjectType } from './retention-policy.entity';

/**
 * A record type other than contacts that retention policies reach, declared by the host
 * (`RetentionPolicies.addRecordType`, in `onModuleInit`). Its records are not data subjects:
 * they may name people in some fields, which anonymising empties.
 */
export interface RetentionRecordType {
  objectType: Exclude<RetentionObjectType, 'contacts'>;
  /** Its table: `account_id`, `id`, `archived_at` as ISO text (the CRM's record columns). */
  table: string;
  /** Where the records say they closed, for the `closed` condition. */
  closed?: ClosedColumns;
  /**
   * For the `inactive` condition: a SQL condition over the record (alias `c`) that holds when it
   * had activity since `:retentionCutoff` (ISO text) besides its own updates.
   */
  activity?: string;
  /**
   * The blockers that keep the record (a business record under a legal obligation): a record any
   * holds is anonymised, never deleted. A blocker that lasts a legal period ends after the
   * policy's `legalPeriodYears` (none given: it lasts). Read in `manager`.
   */
  blockers(
    manager: EntityManager,
    accountId: string,
    recordId: string,
    context: RetentionBlockerContext,
  ): Promise<string[]>;
  /** Deletes or anonymises the record in the caller's transaction. */
  erase(
    manager: EntityManager,
    target: { accountId: string; recordId: string; outcome: ContactOutcome },
  ): Promise<void>;
}
