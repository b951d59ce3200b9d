import type { ActorFacts, FieldType } from './conditions/condition-language';

/**
 * Port to the host's directory of people (implemented with `@custos/identity`): what an actor's
 * access levels and placeholders resolve to.
 */
export interface AccessDirectory {
  /** An active member of the account, or `null` when the user is not one. */
  member(accountId: string, userId: string): Promise<DirectoryMember | null>;
  /**
   * Everyone who is, or may become without another administrative change (an invitation), an
   * active member, with facts as {@link member} gives them: the delegation check compares
   * everyone's access before and after an administrative change.
   */
  members(accountId: string): Promise<DirectoryMember[]>;
  /** Whether a user (active member) or team exists in the account. */
  exists(accountId: string, principalType: 'user' | 'team', id: string): Promise<boolean>;
  /** The users of a team. */
  teamMembers(accountId: string, teamId: string): Promise<string[]>;
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
  /** One record's fields as rules see them (`null` for missing values), or `null` if there is no such record. */
  record(
    accountId: string,
    subjectType: string,
    id: string,
  ): Promise<Record<string, unknown> | null>;
  /**
   * Fields whose stored values are sealed (encrypted), so that neither SQL nor CASL can compare
   * them: record rules may not test them (a condition over envelopes would silently mean
   * something else). Default: none.
   */
  sealedFields?(accountId: string, subjectType: string): Promise<ReadonlySet<string>>;
}

export const ACCESS_SUBJECTS = Symbol('custos:access-subjects');

/** Used when the host registers no subjects: roles then hold task privileges only. */
export const NO_SUBJECTS: AccessSubjects = {
  subjectTypes: () => [],
  fields: async () => null,
  record: async () => null,
};

/**
 * Port to the host's field-level read check (field permissions and, for a CRM, who may see
 * sensitive values in clear), so that rules and explain go only as far as what their caller may read.
 */
export interface ReadableFields {
  /**
   * The fields of `subjectType` that the request's actor may read, named as record rules and
   * field permissions name them (properties, and `ownerId` / `businessUnitId` when readable).
   */
  readableBy(subjectType: string): Promise<ReadonlySet<string>>;
}

export const READABLE_FIELDS = Symbol('custos:readable-fields');

/** Minimal view of Nest's `ModuleRef` used to find the host's port providers. */
interface ProviderLookup {
  get<T>(token: symbol, options: { strict: false }): T;
}

/** The host's `ACCESS_DIRECTORY`; a missing one stops the start with a message saying how to fix it. */
export function lookUpDirectory(moduleRef: ProviderLookup): AccessDirectory {
  try {
    return moduleRef.get<AccessDirectory>(ACCESS_DIRECTORY, { strict: false });
  } catch {
    throw new Error(
      'AccessModule needs an ACCESS_DIRECTORY provider (who is in which team and business unit). ' +
        'With @custos/identity: { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory }.',
    );
  }
}

/** The host's `ACCESS_SUBJECTS`, or {@link NO_SUBJECTS}. */
export function lookUpSubjects(moduleRef: ProviderLookup): AccessSubjects {
  try {
    return moduleRef.get<AccessSubjects>(ACCESS_SUBJECTS, { strict: false });
  } catch {
    return NO_SUBJECTS;
  }
}

/** The host's `READABLE_FIELDS`, or `null` to check field permissions alone. */
export function lookUpReadableFields(moduleRef: ProviderLookup): ReadableFields | null {
  try {
    return moduleRef.get<ReadableFields>(READABLE_FIELDS, { strict: false });
  } catch {
    return null;
  }
}
