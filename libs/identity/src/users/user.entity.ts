import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

/** A person's login, shared by all the accounts they belong to. */
@Entity('identity_user')
@Index('identity_user_display_name_idx', ['displayName'])
@Index('identity_user_email_uq', ['email'], { unique: true })
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'identity_user_pk' })
  id!: string;

  /** Lower-cased and trimmed, so uniqueness is case-insensitive on every database. */
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  /** argon2id PHC string; `null` for users who sign in only through the identity provider. */
  @Column({ name: 'password_hash', type: 'varchar', length: 200, nullable: true })
  passwordHash!: string | null;

  /**
   * Raised by a password change and by "sign out everywhere": every access token of the login
   * issued before, in any account, stops working at its next request.
   */
  @Column({ name: 'credential_generation', type: 'integer', default: 0 })
  credentialGeneration!: number;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
