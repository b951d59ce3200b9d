import { Injectable } from '@nestjs/common';
import { RequestContext, mayDecryptSensitive } from '@custos/core';

/** An `@Encrypted` field of a loaded entity, as the read policy sees it. */
export interface EncryptedField {
  /** Entity property, e.g. `nationalId`. */
  readonly property: string;
  /** Table name, e.g. `person`. */
  readonly table: string;
  /** Database column name, e.g. `national_id`. */
  readonly column: string;
  /** The account the value belongs to (from the entity's account column). */
  readonly accountId: string;
}

/**
 * Decides, per loaded entity and field, whether the value is decrypted. A field not decrypted
 * holds `null` and is listed by `redactedFieldsOf(entity)`. Called synchronously for every
 * encrypted field of every loaded entity: keep it cheap (no queries).
 */
export interface EncryptedFieldReadPolicy {
  canDecrypt(entity: object, field: EncryptedField): boolean;
}

/** Injection token of the read policy in effect (`CryptoModule.forRoot({ readPolicy })`). */
export const ENCRYPTED_FIELD_READ_POLICY = Symbol('custos:encrypted-field-read-policy');

/**
 * The default read policy: decrypts only for an actor of the value's own account, bound in the
 * `RequestContext`, who {@link mayDecryptSensitive} (support sessions and partner admins never do). With no
 * actor — code outside a request that did not use `RequestContext.runAs` — nothing is decrypted.
 */
@Injectable()
export class ActorReadPolicy implements EncryptedFieldReadPolicy {
  constructor(private readonly context: RequestContext) {}

  canDecrypt(_entity: object, field: EncryptedField): boolean {
    const actor = this.context.actor;
    return actor !== undefined && mayDecryptSensitive(actor) && actor.accountId === field.accountId;
  }
}
