import type {
  DeleteQueryBuilder,
  EntityManager,
  ObjectLiteral,
  SelectQueryBuilder,
  UpdateQueryBuilder,
} from 'typeorm';
import { placeholder } from './sql-dialect';

/**
 * An account's rows of a record table, archived or not, with no record rule applied: the one
 * spelling of the account filter on record tables. `RecordQuery` builds every read an actor makes
 * on {@link selectAccountRows}, adding the archive state and the actor's rules; work with no
 * actor's rules to apply (writing rows the writer already required, a removed property's cleanup,
 * a retype's "any values?" check, the sealed-values verifier) uses these directly. Never for
 * showing records to an actor.
 */
export function selectAccountRows(
  manager: EntityManager,
  table: string,
  accountId: string,
): SelectQueryBuilder<ObjectLiteral> {
  return manager.createQueryBuilder().from(table, 'r').where(ACCOUNT_OF_ROW, { accountId });
}

/**
 * Writes `columns` (column name → value) of the account's row `id`, in raw SQL: a record table's
 * query builder maps names through its entity, whose properties are not the column names.
 */
export async function updateAccountRow(
  manager: EntityManager,
  table: string,
  { id, accountId }: { id: string; accountId: string },
  columns: Record<string, unknown>,
): Promise<void> {
  const names = Object.keys(columns);
  const parameters = names.map((name) => columns[name] ?? null);
  const assignments = names.map((name, index) => `${name} = ${placeholder(manager, index + 1)}`);
  parameters.push(id, accountId);
  const idAt = placeholder(manager, names.length + 1);
  const accountAt = placeholder(manager, names.length + 2);
  await manager.query(
    `UPDATE ${table} SET ${assignments.join(', ')} WHERE id = ${idAt} AND ${ACCOUNT_COLUMN} = ${accountAt}`,
    parameters,
  );
}

/** {@link selectAccountRows} for an UPDATE through the query builder (no alias). */
export function updateAccountRows(
  manager: EntityManager,
  table: string,
  accountId: string,
): UpdateQueryBuilder<ObjectLiteral> {
  return manager.createQueryBuilder().update(table).where(ACCOUNT, { accountId });
}

/** {@link selectAccountRows} for a DELETE. */
export function deleteAccountRows(
  manager: EntityManager,
  table: string,
  accountId: string,
): DeleteQueryBuilder<ObjectLiteral> {
  return manager.createQueryBuilder().delete().from(table).where(ACCOUNT, { accountId });
}

const ACCOUNT_COLUMN = 'account_id';
const ACCOUNT = `${ACCOUNT_COLUMN} = :accountId`;
/** The account filter on alias `r` (named parameter `accountId`). */
export const ACCOUNT_OF_ROW = `r.${ACCOUNT}`;
