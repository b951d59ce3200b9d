import { statusOfKind, toCustosError } from '@custos/core';

/** One account's outcome of an action applied across accounts: done, or why it was refused. */
export interface BulkOutcome {
  accountId: string;
  status: number;
  code: string | null;
  detail: string | null;
}

/**
 * Runs `work` for each account in turn (each its own transaction, so all or nothing per
 * account) and reports each outcome as the HTTP status the action would have had alone. A
 * failure that is no domain error (a bug) is thrown, not reported.
 */
export async function eachAccount(
  accountIds: readonly string[],
  work: (accountId: string) => Promise<void>,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const accountId of [...new Set(accountIds)]) {
    try {
      await work(accountId);
      outcomes.push({ accountId, status: 200, code: null, detail: null });
    } catch (error) {
      const problem = toCustosError(error);
      if (!problem) {
        throw error;
      }
      outcomes.push({
        accountId,
        status: statusOfKind(problem.kind).status,
        code: problem.code,
        detail: problem.message,
      });
    }
  }
  return outcomes;
}
