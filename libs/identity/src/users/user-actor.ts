import type { Actor } from '@custos/core';
import type { Membership } from './membership.entity';
import type { User } from './user.entity';

/**
 * The actor of a person acting in the account of `membership`: a partner admin when the
 * membership is marked with a partner firm (never a super admin then), else a member.
 */
export function userActor(
  user: Pick<User, 'id' | 'email'>,
  membership: Pick<Membership, 'accountId' | 'superAdmin'> &
    Partial<Pick<Membership, 'partnerFirmId'>>,
): Actor {
  const partner = membership.partnerFirmId !== undefined && membership.partnerFirmId !== null;
  return {
    kind: partner ? 'partner_admin' : 'user',
    id: user.id,
    accountId: membership.accountId,
    userId: user.id,
    label: user.email,
    superAdmin: !partner && membership.superAdmin,
  };
}
