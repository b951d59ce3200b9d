import type { TaskPrivilege } from '../policy/task-privilege';

/** What kind of principal is making the request. */
export type ActorKind =
  'user' | 'private_app' | 'partner_admin' | 'support' | 'system' | 'provisioning';

/**
 * The principal on whose behalf code runs, always bound to exactly one account.
 * Resolved once per request by the authentication guard and read through {@link RequestContext}.
 */
export interface Actor {
  readonly kind: ActorKind;
  /**
   * User id for people, API key id for private apps, provisioning token id for SCIM clients,
   * `system` for background work.
   */
  readonly id: string;
  readonly accountId: string;
  /** The person behind the actor: the user, or the super admin who created a private app. */
  readonly userId: string | null;
  /** Human-readable label for audit trails (email or key name; never a secret). */
  readonly label: string;
  /** Super admins hold every privilege of their account. Never true for private apps. */
  readonly superAdmin: boolean;
  /** Private apps only: the privileges the key was limited to when created. */
  readonly scopes?: readonly TaskPrivilege[];
}

/** The actor used by background jobs and bootstrap code acting for an account. */
export function systemActor(accountId: string): Actor {
  return {
    kind: 'system',
    id: 'system',
    accountId,
    userId: null,
    label: 'system',
    superAdmin: true,
  };
}
