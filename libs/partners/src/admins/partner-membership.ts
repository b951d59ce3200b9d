import { IsNull, type EntityManager } from 'typeorm';
import { RoleAssignment } from '@custos/access';
import { newId } from '@custos/core';
import { BusinessUnit, Membership } from '@custos/identity';

/** What a new partner membership says: whose, for which firm, until when. */
export interface PartnerPlace {
  accountId: string;
  userId: string;
  firmId: string;
  expiresAt: Date | null;
  extendDays: number | null;
  now: Date;
}

/**
 * Adds the user to the account as an active partner member, in its root business unit, in the
 * caller's transaction (seats and the grant ceiling are the caller's to check first).
 */
export async function insertPartnerMembership(
  manager: EntityManager,
  place: PartnerPlace,
): Promise<void> {
  const root = await manager.findOneByOrFail(BusinessUnit, {
    accountId: place.accountId,
    parentId: IsNull(),
  });
  await manager.insert(Membership, {
    id: newId(),
    accountId: place.accountId,
    userId: place.userId,
    superAdmin: false,
    status: 'active',
    invitedLoginId: null,
    invitedDisplayName: null,
    credentialGeneration: 0,
    businessUnitId: root.id,
    partnerFirmId: place.firmId,
    partnerAccessExpiresAt: place.expiresAt,
    partnerAccessExtendDays: place.extendDays,
    createdAt: place.now,
    updatedAt: place.now,
  });
}

/** Assigns the role to the user directly, in the caller's transaction. */
export async function assignRole(
  manager: EntityManager,
  accountId: string,
  roleId: string,
  userId: string,
): Promise<void> {
  await manager.insert(RoleAssignment, {
    id: newId(),
    accountId,
    roleId,
    principalType: 'user',
    principalId: userId,
  });
}
