import { newId, type Actor } from '@custos/core';

export { signLink, verifyLink, type LinkClaims } from '../links/access-link-signature';

/** A partner admin's actor in an account, for tests of code that must treat one right. */
export function partnerAdminActor(accountId: string, userId: string = newId()): Actor {
  return {
    kind: 'partner_admin',
    id: userId,
    accountId,
    userId,
    label: `${userId}@partner.test`,
    superAdmin: false,
  };
}
