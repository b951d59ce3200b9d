import type { EntityManager } from 'typeorm';
import type { ContactOutcome } from '../erasure/erasure.ports';
import type { ClosedColumns } from './retention-condition';
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
   * The blockers that keep the record (a business record under a legal obligation): a record any
   * holds is anonymised, never deleted. Read in `manager`.
   */
  blockers(manager: EntityManager, accountId: string, recordId: string): Promise<string[]>;
  /** Deletes or anonymises the record in the caller's transaction. */
  erase(
    manager: EntityManager,
    target: { accountId: string; recordId: string; outcome: ContactOutcome },
  ): Promise<void>;
}
