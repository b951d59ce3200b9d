import type { Actor } from '@custos/core';
import type { Membership } from './membership.entity';
import type { User } from './user.entity';

/** The actor of a person acting in the account of `membership`. */
export function userActor(
  user: Pick<User, 'id' | 'email'>,
  membership: Pick<Membership, 'accountId' | 'superAdmin'>,
): Actor {
  return {
    kind: 'user',
    id: user.id,
    accountId: membership.accountId,
    userId: user.id,
    label: user.email,
    superAdmin: membership.superAdmin,
  };
}
