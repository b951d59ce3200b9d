import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/**
 * What an account's identity provider says about one of its members, beyond the login: kept per
 * account, so one account's provider never renames a login other accounts share. `userName`
 * is the login's email (lower-cased), so it is not repeated here.
 */
@Entity('identity_scim_user')
@Index('identity_scim_user_display_name_idx', ['accountId', 'displayName'])
@Index('identity_scim_user_family_name_idx', ['accountId', 'familyName'])
@Index('identity_scim_user_account_external_uq', ['accountId', 'externalId'], { unique: true })
@Index('identity_scim_user_account_email_idx', ['accountId', 'workEmail'])
@Index('identity_scim_user_account_resource_uq', ['accountId', 'resourceId'], { unique: true })
export class ScimUser {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_scim_user_pk',
  })
  accountId!: string;

  @PrimaryColumn({
    name: 'user_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'identity_scim_user_pk',
  })
  userId!: string;

  /**
   * The SCIM id, when it is not `userId`: a person provisioned with a login that existed
   * elsewhere joins under a fresh id (as an invitation does) and keeps it towards the provider
   * after accepting moves the membership to the login's own id.
   */
  @Column({ name: 'resource_id', type: 'varchar', length: 36, nullable: true })
  resourceId!: string | null;

  /** The provider's own id for the person; unique in the account when set. */
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  @Column({ name: 'given_name', type: 'varchar', length: 200, nullable: true })
  givenName!: string | null;

  @Column({ name: 'family_name', type: 'varchar', length: 200, nullable: true })
  familyName!: string | null;

  /** `emails[type eq "work"].value`, lower-cased. */
  @Column({ name: 'work_email', type: 'varchar', length: 320, nullable: true })
  workEmail!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title!: string | null;

  /** The enterprise extension's `department`. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  department!: string | null;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
