import type { ActorFacts, FieldType } from './conditions/condition-language';

/**
 * Port to the host's directory of people (implemented with `@custos/identity`): what an actor's
 * access levels and placeholders resolve to.
 */
export interface AccessDirectory {
  /** An active member of the account, or `null` when the user is not one. */
  member(accountId: string, userId: string): Promise<DirectoryMember | null>;
}

/** What the directory knows of a member: placeholder facts and the super-admin flag. */
export interface DirectoryMember {
  facts: ActorFacts;
  superAdmin: boolean;
}

export const ACCESS_DIRECTORY = Symbol('custos:access-directory');

/**
 * Port to the host's subjects (e.g. the CRM's object types): which fields record rules and
 * field permissions on a subject may name, with their types.
 */
export interface AccessSubjects {
  /** The subject types known to the host, e.g. `['contacts', 'companies', 'deals']`. */
  subjectTypes(): readonly string[];
  /** The fields of a subject in an account; `null` for an unknown subject. */
  fields(
    accountId: string,
    subjectType: string,
  ): Promise<Readonly<Record<string, FieldType>> | null>;
}

export const ACCESS_SUBJECTS = Symbol('custos:access-subjects');
