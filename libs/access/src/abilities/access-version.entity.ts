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

/**
 * The scalar subquery of an account's access version (NULL before the account's first change),
 * for SQL of other libs that needs it in the same round trip, e.g. identity's sign-in.
 * `accountIdParam` is that SQL's placeholder of the account id, e.g. `$2`.
 */
export function accessVersionSql(accountIdParam: string): string {
  return `(SELECT v.version FROM access_account_version v WHERE v.account_id = ${accountIdParam})`;
}
