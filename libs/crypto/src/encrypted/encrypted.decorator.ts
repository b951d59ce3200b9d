/** Options of {@link Encrypted}. */
export interface EncryptedOptions {
  /**
   * Property (or database column) of the same entity that receives the blind-index token of the
   * value, for equality search (see `BlindIndexQuery`). Default: no blind index.
   */
  blindIndex?: string;
  /** Whether the blind index keeps the case of string values. Default `false` (case-folded). */
  caseSensitive?: boolean;
  /** Property holding the account id the value belongs to. Default `'accountId'`. */
  accountColumn?: string;
}

const registry = new Map<object, Map<string, EncryptedOptions>>();

/**
 * Encrypts the column in the application: written as an envelope bound to the account, table,
 * column and record, read back decrypted when the read policy allows. Put it next to
 * `@Column({ type: 'text' })` (or `varchar` long enough for the envelope); the entity's primary
 * key must be assigned by the application before insert.
 */
export function Encrypted(options: EncryptedOptions = {}): PropertyDecorator {
  return (target, property) => {
    if (typeof property !== 'string') {
      throw new TypeError('@Encrypted() applies to string-named properties only.');
    }
    const fields = registry.get(target.constructor) ?? new Map<string, EncryptedOptions>();
    fields.set(property, { ...options });
    registry.set(target.constructor, fields);
  };
}

/** The `@Encrypted` properties of an entity class, inherited ones included. */
export function encryptedPropertiesOf(target: object): Map<string, EncryptedOptions> {
  const fields = new Map<string, EncryptedOptions>();
  const chain: object[] = [];
  for (
    let current: unknown = target;
    typeof current === 'function' && current !== Function.prototype;
    current = Object.getPrototypeOf(current)
  ) {
    chain.unshift(current);
  }
  for (const type of chain) {
    for (const [property, options] of registry.get(type) ?? []) {
      fields.set(property, options);
    }
  }
  return fields;
}
