import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A counter per account, raised in the same transaction as every change that can alter someone's
 * rights. Cached abilities remember the version they were built at; every request compares, so
 * the next request after a change — on any server instance — sees it.
 */
@Entity('access_account_version')
export class AccessVersion {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'access_account_version_pk',
  })
  accountId!: string;

  @Column({ type: 'integer' })
  version!: number;
}
