import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/**
 * `invited`: added by an administrator, not yet accepted by the person (no access, counts nowhere);
 * `active` and `deactivated` only after the person accepted.
 */
export type MembershipStatus = 'invited' | 'active' | 'deactivated';

/**
 * A user's place in one account: super-admin flag, business unit and status.
 *
 * An invitation to a login that already existed when it was made is stored under a fresh
 * `userId` (with the login in `invitedLoginId`), so that nothing the inviting account sees, not
 * even the id's UUIDv7 time, tells whether the login existed; acceptance moves the membership to
 * the login's own id.
 */
@Entity('identity_membership')
@Index('identity_membership_invited_name_idx', ['accountId', 'invitedDisplayName'])
@Index('identity_membership_account_user_uq', ['accountId', 'userId'], { unique: true })
@Index('identity_membership_invited_login_account_uq', ['invitedLoginId', 'accountId'], {
  unique: true,
})
@Index('identity_membership_user_idx', ['userId'])
@Index('identity_membership_account_bu_idx', ['accountId', 'businessUnitId'])
export class Membership {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_membership_pk',
  })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'super_admin', type: 'boolean', default: false })
  superAdmin!: boolean;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: MembershipStatus;

  /** The login an invitation is for; `null` once accepted (then `userId` is that login). */
  @Column({ name: 'invited_login_id', type: 'varchar', length: 36, nullable: true })
  invitedLoginId!: string | null;

  /** The name the inviter gave, shown instead of the login's own until the person accepts. */
  @Column({ name: 'invited_display_name', type: 'varchar', length: 200, nullable: true })
  invitedDisplayName!: string | null;

  /**
   * Raised by deactivation and by revoking super admin: access tokens carry the generation they
   * were issued under and die when it moves on (a reactivation does not bring them back).
   */
  @Column({ name: 'credential_generation', type: 'integer', default: 0 })
  credentialGeneration!: number;

  /**
   * Set when the member is a partner admin: the partner firm they act for (`@custos/partners`
   * owns the firm). Such a member signs in as a `partner_admin` actor, never a super admin.
   */
  @Column({ name: 'partner_firm_id', type: 'varchar', length: 36, nullable: true })
  partnerFirmId!: string | null;

  /** A partner admin's access ends at this time (time-bound access); `null`: no end. */
  @TimestampColumn({ name: 'partner_access_expires_at', nullable: true })
  partnerAccessExpiresAt!: Date | null;

  /** Auto-extension: when the access comes to its end it is extended by this many days instead. */
  @Column({ name: 'partner_access_extend_days', type: 'integer', nullable: true })
  partnerAccessExtendDays!: number | null;

  @Column({ name: 'business_unit_id', type: 'varchar', length: 36 })
  businessUnitId!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
