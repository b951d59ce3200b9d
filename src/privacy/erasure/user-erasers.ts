import { AuditService, ERASED_ACTOR_LABEL } from '@custos/audit';
import { MemberErasure } from '@custos/identity';
import { ErasureRules, type SourceEraser, type UserErasure } from '@custos/privacy';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

type EraseUser = (manager: EntityManager, target: UserErasure) => Promise<number>;

/**
 * How each registered source of a user's data is erased (`subject: 'user'` in
 * `SERVER_PERSONAL_DATA`). Nothing is deleted that records what the user did: the login and
 * membership keep their ids (records the user owned keep naming their owner by id), and the
 * labels naming them — in the audit log, imports and the export log — become the erased label.
 * What only told the user something goes: their notifications, the identity provider's copy.
 */
@Injectable()
export class UserDataErasers implements OnModuleInit {
  constructor(
    private readonly rules: ErasureRules,
    private readonly members: MemberErasure,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    const erasers: Record<string, EraseUser> = {
      'identity.user': (m, t) => this.members.eraseLogin(m, t.accountId, t.userId),
      'identity.membership': (m, t) => this.members.eraseMembership(m, t.accountId, t.userId),
      'identity.scim_user': (m, t) => this.members.eraseScimUser(m, t.accountId, t.userId),
      'identity.support_access': (m, t) =>
        this.members.eraseSupportGrants(m, t.accountId, t.userId),
      'audit.event': async (m, t) =>
        (await this.audit.eraseActorLabels(m, t.accountId, t.userId)).erased,
      'crm.import': (m, t) => relabel(m, 'crm_import', 'actor_label', 'actor_user_id', t),
      'exports.requester': (m, t) =>
        relabel(m, 'custos_export', 'requester_label', 'requester_user_id', t),
      'core.notification': (m, t) =>
        changedRows(
          m,
          'DELETE FROM custos_notification WHERE account_id = $1 AND recipient_user_id = $2',
          [t.accountId, t.userId],
        ),
    };
    for (const [source, eraseUser] of Object.entries(erasers)) {
      this.rules.addEraser({ source, eraseUser } satisfies SourceEraser);
    }
  }
}

/** Replaces the label that names the user in their rows of `table` (idempotent). */
async function relabel(
  manager: EntityManager,
  table: string,
  labelColumn: string,
  userColumn: string,
  { accountId, userId }: UserErasure,
): Promise<number> {
  return changedRows(
    manager,
    `UPDATE "${table}" SET "${labelColumn}" = $1 WHERE account_id = $2 AND "${userColumn}" = $3 AND "${labelColumn}" <> $1`,
    [ERASED_ACTOR_LABEL, accountId, userId],
  );
}

/** Runs one `UPDATE`/`DELETE` written with `$n` parameters in the erasure's transaction. */
async function changedRows(
  manager: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<number> {
  const runner = manager.queryRunner;
  if (!runner) {
    throw new Error("A user's data is erased inside the erasure step's transaction.");
  }
  if (manager.connection.options.type === 'postgres') {
    return (await runner.query(sql, parameters, true)).affected ?? 0;
  }
  // SQLite: each `$n` becomes a `?` with its value, in the order they appear.
  const expanded: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    expanded.push(parameters[Number(n) - 1]);
    return '?';
  });
  return (await runner.query(text, expanded, true)).affected ?? 0;
}
