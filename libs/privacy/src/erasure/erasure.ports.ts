import type { EntityManager } from 'typeorm';

/**
 * Destroys a subject's own data key (crypto-shredding): every value sealed under it — in the
 * database, its backups, replicas and old export files — can no longer be opened. Called in the
 * transaction that erases the subject's record, so the key goes with the record or not at all.
 * The host binds it to its crypto (with `@custos/crypto`: its `destroy` of the subject's key).
 */
export interface SubjectKeyShredder {
  destroy(
    accountId: string,
    subjectKind: 'contact',
    subjectId: string,
    manager: EntityManager,
  ): Promise<void>;
}

/** Injection token of the {@link SubjectKeyShredder} the host provides. */
export const SUBJECT_KEY_SHREDDER = Symbol('SUBJECT_KEY_SHREDDER');

/** What happens to a contact: deleted, or (when a blocker keeps it) anonymised. */
export type ContactOutcome = 'deleted' | 'anonymised';

/** One contact being erased, handed to the erasers of the sources it has rows in. */
export interface ContactErasure {
  accountId: string;
  contactId: string;
  outcome: ContactOutcome;
}

/** One user (a member of the account) being erased, handed to the erasers of user sources. */
export interface UserErasure {
  accountId: string;
  userId: string;
}

/**
 * Who may be erased as a user, and their deactivation: the host binds it to its identity (with
 * `@custos/identity`: `MemberErasure.deactivate`). Called in the transaction that starts the
 * erasure, as the operator; throws the refusal (404 not a member, 403 a super admin the operator
 * may not remove, 409 the operator themself, the last super admin, a login other accounts share),
 * naming `field`.
 */
export interface UserErasureGate {
  deactivate(userId: string, field: string): Promise<void>;
}

/** Injection token of the {@link UserErasureGate} the host provides. */
export const USER_ERASURE_GATE = Symbol('USER_ERASURE_GATE');

/** The subject's values (normalised emails, phone numbers), for sources found by value. */
export interface ValueErasure {
  accountId: string;
  emails: readonly string[];
  phones: readonly string[];
}

/**
 * A reason a contact must stay (a business record under a legal obligation references it): the
 * host registers it; a contact any blocker holds is anonymised instead of deleted.
 */
export interface ErasureBlocker {
  /** Stable name, written to the privacy log (`crm.closed_won_deals`). */
  readonly key: string;
  /** Why such references must stay, for the log and the register (`contracts: Art. 6(1)(b), (c)`). */
  readonly reason: string;
  /** Whether the contact is referenced so, read in the erasing transaction. */
  holds(manager: EntityManager, accountId: string, contactId: string): Promise<boolean>;
}

/**
 * How one registered source is erased, where the engine's generic rules (delete the rows of the
 * subject column; delete the rows whose email or phone column holds a value of the subject) do
 * not fit: the subject's own record, JSON documents, hash-chained logs. Each method runs in the
 * erasing transaction and is idempotent (a rerun after a crash finds less or nothing); it returns
 * how many rows it changed.
 */
export interface SourceEraser {
  /** The `key` of the registered source. */
  readonly source: string;
  eraseContact?(manager: EntityManager, target: ContactErasure): Promise<number>;
  eraseValues?(manager: EntityManager, target: ValueErasure): Promise<number>;
  /** For a source of users' data: replaces or deletes what names the user. */
  eraseUser?(manager: EntityManager, target: UserErasure): Promise<number>;
  /**
   * Set when the source keeps what it holds, and why (an export file cannot be rewritten: it
   * expires, and its sealed values follow the destroyed key). Written to the privacy log.
   */
  readonly keeps?: string;
}
