import type { Membership } from './membership.entity';
import type { User } from './user.entity';

/**
 * The login behind a membership aliased `m` in a query: the invited one until acceptance, then
 * the membership's own user.
 */
export const LOGIN_OF_MEMBERSHIP = 'COALESCE(m.invitedLoginId, m.userId)';

/**
 * The name an account shows for one of its people: until they accept, the one the inviter (or the
 * identity provider) typed,
 * so that nothing tells whether their login existed before; then their own.
 */
export function shownDisplayName(
  membership: Pick<Membership, 'invitedLoginId' | 'invitedDisplayName'>,
  login: Pick<User, 'displayName'>,
): string {
  return membership.invitedLoginId !== null
    ? (membership.invitedDisplayName ?? '')
    : login.displayName;
}
