import { Injectable } from '@nestjs/common';
import { TransactionHost, escapeLike, type TaskPrivilege } from '@custos/core';

/**
 * Who holds a task privilege in person, in one SQL query: the active members who are super admins
 * (they hold every privilege) or hold a role granting it, directly or through one of their teams —
 * the inputs `@custos/access` builds each member's task privileges from (`buildAccess`).
 */
@Injectable()
export class PrivilegeHolders {
  constructor(private readonly transactions: TransactionHost) {}

  /**
   * User ids of the account's active members holding `privilege`, in id order (not those a
   * provider provisioned who have not signed in yet: they have no inbox here).
   */
  async userIds(accountId: string, privilege: TaskPrivilege): Promise<string[]> {
    const [account, pattern] = this.transactions.isPostgres ? ['$1', '$2'] : ['?', '?'];
    // Roles keep their task privileges as a JSON array of snake_case names: match the quoted name.
    const rows = await this.transactions.manager.query<{ user_id: string }[]>(
      `SELECT m.user_id FROM identity_membership m
        WHERE m.account_id = ${account} AND m.status = 'active' AND m.invited_login_id IS NULL
          AND (m.super_admin = TRUE OR EXISTS (
            SELECT 1 FROM access_role_assignment ra
              JOIN access_role r ON r.id = ra.role_id AND r.account_id = ra.account_id
             WHERE ra.account_id = m.account_id
               AND r.task_privileges LIKE ${pattern} ESCAPE '\\'
               AND ((ra.principal_type = 'user' AND ra.principal_id = m.user_id)
                 OR (ra.principal_type = 'team' AND ra.principal_id IN (
                   SELECT tm.team_id FROM identity_team_member tm
                    WHERE tm.account_id = m.account_id AND tm.user_id = m.user_id)))))
        ORDER BY m.user_id`,
      [accountId, `%${escapeLike(JSON.stringify(privilege))}%`],
    );
    return rows.map((row) => row.user_id);
  }
}
