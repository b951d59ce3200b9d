import type { ConsentChannel } from './consent.types';

/**
 * What the lib needs to know of the host's contacts (port; the host provides it under
 * {@link CONSENT_CONTACTS}). The lib never reads host tables.
 */
export interface ConsentContacts {
  /**
   * Resolves when the current actor (request context) may read the contact, through the host's
   * one scoped record query; throws the host's not-found error (404) otherwise — a contact one may
   * not read does not exist for them. Live contacts only, unless `includeArchived` (an erasure
   * reaches archived ones too).
   */
  requireReadable(contactId: string, options?: { includeArchived?: boolean }): Promise<void>;
  /**
   * The contact's address on `channel` as the account holds it, for mail the system sends on the
   * person's request (a double opt-in confirmation); `null` when the contact does not exist or
   * has none. No actor rules apply: never show the result to an actor.
   */
  addressOf(accountId: string, contactId: string, channel: ConsentChannel): Promise<string | null>;
}

/** Injection token of the host's {@link ConsentContacts}. */
export const CONSENT_CONTACTS = Symbol('CONSENT_CONTACTS');
