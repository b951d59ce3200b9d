import { Column } from 'typeorm';
import type { TaskPrivilege } from '../policy/task-privilege';
import type { Actor, ActorKind } from './actor';

/**
 * Who a piece of background work (an export, an import) acts as, kept on its row: identity only,
 * never a credential, and never rights — those are read again when the work runs.
 */
export interface ActorSnapshot {
  kind: ActorKind;
  /** User id, API key id … as {@link Actor.id}. */
  id: string;
  userId: string | null;
  label: string;
  superAdmin: boolean;
}

/**
 * The columns of an {@link ActorSnapshot} as a TypeORM embedded entity, named `<prefix>_kind`,
 * `<prefix>_id`, `<prefix>_user_id`, `<prefix>_label` and `<prefix>_super_admin`. Embed it with
 * `@Column(() => ActorSnapshotColumns('requester'), { prefix: false })`: the names are spelled
 * out here rather than derived by TypeORM's embedded prefixes, so they stay the same under any
 * naming strategy of the host.
 */
export function ActorSnapshotColumns(prefix: string): new () => ActorSnapshot {
  class Columns implements ActorSnapshot {
    @Column({ name: `${prefix}_kind`, type: 'varchar', length: 32 })
    kind!: ActorKind;

    @Column({ name: `${prefix}_id`, type: 'varchar', length: 255 })
    id!: string;

    @Column({ name: `${prefix}_user_id`, type: 'varchar', length: 36, nullable: true })
    userId!: string | null;

    @Column({ name: `${prefix}_label`, type: 'varchar', length: 255 })
    label!: string;

    @Column({ name: `${prefix}_super_admin`, type: 'boolean' })
    superAdmin!: boolean;
  }
  return Columns;
}

/** The snapshot to keep of `actor`. */
export function snapshotOf(actor: Actor): ActorSnapshot {
  return {
    kind: actor.kind,
    id: actor.id,
    userId: actor.userId,
    label: actor.label,
    superAdmin: actor.superAdmin,
  };
}

/** The actor a kept snapshot stands for in `accountId`, with a private app's `scopes` when kept. */
export function actorFromSnapshot(
  snapshot: ActorSnapshot,
  accountId: string,
  scopes?: readonly TaskPrivilege[] | null,
): Actor {
  return {
    kind: snapshot.kind,
    id: snapshot.id,
    accountId,
    userId: snapshot.userId,
    label: snapshot.label,
    superAdmin: snapshot.superAdmin,
    ...(scopes ? { scopes } : {}),
  };
}

/** Whether `actor` is the one the snapshot was taken of, in `accountId` (an API key is not its creator). */
export function isSnapshotOf(snapshot: ActorSnapshot, accountId: string, actor: Actor): boolean {
  return actor.accountId === accountId && actor.kind === snapshot.kind && actor.id === snapshot.id;
}
