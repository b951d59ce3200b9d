import type { TaskPrivilege } from '../policy/task-privilege';
import type { Actor } from './actor';

/*
 * What an actor may do because of what it is. Every "which kind of actor is this" question in
 * the libs and the host is answered here, so a new kind (or a changed rule for one) is one edit.
 */

/** A member of the account acting in person, signed in as themselves (the actor's `userId`). */
export function isMemberInPerson(actor: Actor): actor is Actor & { readonly userId: string } {
  return actor.kind === 'user' && actor.userId !== null;
}

/**
 * A super admin of the account acting in person: not a private app, partner admin, support
 * session or background job, whatever rights those carry.
 */
export function isSuperAdminInPerson(actor: Actor): actor is Actor & { readonly userId: string } {
  return isMemberInPerson(actor) && actor.superAdmin;
}

/** A private app (API key): acts for its creator, within the scopes it was given. */
export function isPrivateApp(actor: Actor): boolean {
  return actor.kind === 'private_app';
}

/** A partner admin managing a client account: never a super admin, never sees sensitive values. */
export function isPartnerAdmin(actor: Pick<Actor, 'kind'>): boolean {
  return actor.kind === 'partner_admin';
}

/**
 * A person holding a membership of the account and acting in person: a member, or a partner
 * admin (whose membership is marked as theirs). Their roles and teams apply; private apps,
 * support sessions and jobs have none of their own.
 */
export function actsThroughMembership(actor: Actor): actor is Actor & { readonly userId: string } {
  return (actor.kind === 'user' || actor.kind === 'partner_admin') && actor.userId !== null;
}

const withheldFromPartnerAdmins = new Set<TaskPrivilege>();

/**
 * Declares task privileges a partner admin never holds, whatever roles they are given (SCIM
 * provisioning, the sensitive-data setting, …): each lib and the host name their own, next to
 * `definePrivileges`. Read by {@link mayHoldPrivilege}, the one ceiling every resolver applies.
 */
export function withholdFromPartnerAdmins<const Names extends readonly TaskPrivilege[]>(
  names: Names,
): Names {
  for (const name of names) {
    withheldFromPartnerAdmins.add(name);
  }
  return names;
}

/**
 * Whether this kind of actor may ever hold `privilege`, whatever its roles say: partner admins
 * never hold what {@link withholdFromPartnerAdmins} named.
 */
export function mayHoldPrivilege(actor: Pick<Actor, 'kind'>, privilege: TaskPrivilege): boolean {
  return !(isPartnerAdmin(actor) && withheldFromPartnerAdmins.has(privilege));
}

/** Background work and bootstrap code acting for an account (see `systemActor`). */
export function isSystem(actor: Actor): boolean {
  return actor.kind === 'system';
}

/**
 * An identity provider's SCIM client, with a provisioning token: it manages the account's users
 * and teams (never super admins) and is accepted only by the SCIM routes, nowhere else.
 */
export function isProvisioningClient(actor: Actor): boolean {
  return actor.kind === 'provisioning';
}

/**
 * Who may deactivate or remove a super admin: a super admin in person, or the provisioning
 * client of the account's identity provider (its token lives only while the super admin who made
 * it stays one, and offboarding a departed super admin is its job). Never a user manager, a
 * partner admin or a private app. The last super admin stays protected by the account invariant.
 */
export function mayRemoveSuperAdmins(actor: Actor): boolean {
  return isSuperAdminInPerson(actor) || isProvisioningClient(actor);
}

/** A support session: it may view the account to troubleshoot, and change nothing. */
export function isReadOnly(actor: Actor): boolean {
  return actor.kind === 'support';
}

/**
 * A person holding sign-in tokens of their own (a member, a partner admin or a support session), which
 * "sign out everywhere" ends; private apps and jobs have none.
 */
export function signsInAsPerson(actor: Actor): actor is Actor & { readonly userId: string } {
  return actsThroughMembership(actor) || (actor.kind === 'support' && actor.userId !== null);
}

/**
 * Whether sealed (sensitive) values may ever be opened for this actor: the one answer for the
 * crypto lib's read policy, the CRM and attachments. Support sessions, partner admins and
 * provisioning clients never decrypt; everyone else is further limited by the caller's own rules (field permissions,
 * sensitivity levels, the value's account).
 */
export function mayDecryptSensitive(actor: Actor): boolean {
  return !isReadOnly(actor) && !isPartnerAdmin(actor) && !isProvisioningClient(actor);
}
