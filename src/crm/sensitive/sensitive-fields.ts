import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EnvelopeError, SubjectErasedError, type AccountCipher } from '@custos/crypto';
import { isSuperAdminInPerson, type Actor, mayDecryptSensitive, isSystem } from '@custos/core';
import type { SensitiveDataState } from '../../sensitive-data';
import type { PropertyDefinition, PropertySchema, PropertyValue } from '../kernel';
import { subjectOfRecord, type SealedPlace } from './sealed-places';

const logger = new Logger('SensitiveFields');

/** What opening a value gives when its data subject was erased (the subject's key destroyed). */
export const ERASED: unique symbol = Symbol('erased');
export type Erased = typeof ERASED;

/** Names of the sensitive properties of a schema. */
export function sensitiveNames(schema: PropertySchema): string[] {
  return [...schema.byName.values()].filter((d) => d.sensitivity !== null).map((d) => d.name);
}

/**
 * The sensitive properties of one object type as one request sees them: seals values for storage
 * and blind-index tokens for search, and opens values only for the properties the actor may read.
 * Values live in clear only in memory; a value that does not open (tampered, moved, unknown key)
 * is treated as unreadable and logged without its content.
 */
export class SensitiveFields {
  readonly names: ReadonlySet<string>;

  constructor(
    readonly schema: PropertySchema,
    private readonly cipher: AccountCipher,
    private readonly actor: Actor,
    private readonly state: SensitiveDataState,
  ) {
    this.names = new Set(sensitiveNames(schema));
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  definition(name: string): PropertyDefinition {
    return this.schema.byName.get(name)!;
  }

  /**
   * Whether the actor may ever see values of this property in clear (field permissions are
   * checked separately). Support sessions never do; below the enterprise edition only super
   * admins do; `super_admins` properties are for super admins in person.
   */
  mayDecrypt(name: string): boolean {
    const sensitivity = this.definition(name).sensitivity!;
    const superAdminInPerson = isSuperAdminInPerson(this.actor);
    if (!mayDecryptSensitive(this.actor)) {
      return false;
    }
    if (!this.state.enterprise && !superAdminInPerson) {
      return false;
    }
    return sensitivity.access === 'everyone' || superAdminInPerson || isSystem(this.actor);
  }

  /** Highly sensitive values are masked until revealed, one record at a time. */
  masked(name: string): boolean {
    return this.definition(name).sensitivity!.highlySensitive;
  }

  /**
   * Loads the keys of the records' data subjects (contacts), in one query, before their values
   * (and their history's) are opened: every read calls it for the records it loaded. An export,
   * which meets each record once, passes `cache: false` (see `AccountCipher.loadSubjectKeys`).
   */
  async loadSubjects(
    recordIds: Iterable<string>,
    options: { cache?: boolean } = {},
  ): Promise<void> {
    await this.cipher.loadSubjectKeys(this.subjectsOf(recordIds), options);
  }

  /**
   * Lets go of the keys {@link loadSubjects} loaded for these records: a reader of many pages (an
   * export) calls it once a page is made, so it holds one page's keys, not every key it met.
   */
  forgetSubjects(recordIds: Iterable<string>): void {
    const ids = [...recordIds];
    this.cipher.forgetSubjectKeys(this.subjectsOf(ids));
    this.cipher.forgetOpenedAhead(ids);
  }

  /**
   * Prepares a page of sealed values for {@link openAt} at the same places: their subjects' keys
   * loaded as {@link loadSubjects} with `cache: false` does, or — a page large enough for the
   * opening workers — the values opened there, off this thread (`AccountCipher.openAhead`); each
   * `openAt` then gives what it would have given. A slot that holds no envelope string needs no
   * key. Release the page with {@link forgetSubjects}.
   */
  async openAhead(values: readonly { place: SealedPlace; envelope: unknown }[]): Promise<void> {
    const sealed: { place: SealedPlace; envelope: string }[] = [];
    for (const value of values) {
      if (typeof value.envelope === 'string') {
        sealed.push(value as { place: SealedPlace; envelope: string });
      }
    }
    await this.cipher.openAhead(sealed);
  }

  /**
   * Loads, and creates where missing, the keys of the records' data subjects in `manager`'s
   * transaction, before their values (and history) are sealed: every write calls it.
   */
  async prepareSealing(recordIds: Iterable<string>, manager: EntityManager): Promise<void> {
    await this.cipher.loadSubjectKeys(this.subjectsOf(recordIds), { forSealing: true, manager });
  }

  private subjectsOf(recordIds: Iterable<string>) {
    const table = this.schema.objectType.table;
    return [...recordIds].flatMap((id) => subjectOfRecord(table, id) ?? []);
  }

  /** Seals a value bound to `place` (see `sealed-places.ts`). */
  sealAt(place: SealedPlace, value: PropertyValue): string {
    return this.cipher.seal(JSON.stringify(value), place);
  }

  /**
   * The value sealed at `place` (a format-1 envelope: at `formerPlace`); {@link ERASED} when its
   * data subject was erased; `undefined` when it does not open or is no envelope at all (logged
   * without the value). `envelope` is whatever the slot holds: a database writer can put any
   * JSON there, and a number, object or null is as unreadable as a flipped byte — never an error
   * for the request that meets it.
   */
  openAt(
    place: SealedPlace,
    envelope: unknown,
    formerPlace: SealedPlace = place,
  ): PropertyValue | Erased | undefined {
    try {
      if (typeof envelope !== 'string') {
        throw new EnvelopeError('malformed');
      }
      return JSON.parse(this.cipher.open(envelope, place, formerPlace)) as PropertyValue;
    } catch (error) {
      if (error instanceof SubjectErasedError) {
        return ERASED;
      }
      if (!(error instanceof EnvelopeError)) {
        throw error;
      }
      logger.error(
        `A sensitive value does not open (${error.reason}): table ${place.table}, property ${place.column}, record ${place.recordId}${place.entry ? `, ${place.entry}` : ''}. It is shown as redacted.`,
      );
      return undefined;
    }
  }

  /** Blind-index token of a value of a sensitive property (strings case-folded, like equality search). */
  token(name: string, value: PropertyValue): string {
    return this.cipher.token(`${this.schema.objectType.name}.${name}`, String(value));
  }

  /** The account whose keys these are. */
  get accountId(): string {
    return this.cipher.accountId;
  }

  get keyVersion(): number {
    return this.cipher.activeVersion;
  }
}
