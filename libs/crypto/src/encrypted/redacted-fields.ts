const redactions = new WeakMap<object, Set<string>>();

/**
 * The `@Encrypted` properties of a loaded entity that were not decrypted — the read policy said no,
 * or the stored value did not open — and so hold `null`. Empty for anything else.
 */
export function redactedFieldsOf(entity: object): ReadonlySet<string> {
  return redactions.get(entity) ?? new Set();
}

export function markRedacted(entity: object, property: string): void {
  let fields = redactions.get(entity);
  if (!fields) {
    fields = new Set();
    redactions.set(entity, fields);
  }
  fields.add(property);
}

export function clearRedacted(entity: object, property: string): void {
  redactions.get(entity)?.delete(property);
}
