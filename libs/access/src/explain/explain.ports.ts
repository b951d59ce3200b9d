/**
 * Port to the host's field-level read check (field permissions and, for a CRM, who may see
 * sensitive values in clear), so that explain answers only about what its caller may read.
 */
export interface ReadableFields {
  /**
   * The fields of `subjectType` that the request's actor may read, named as record rules and
   * field permissions name them (properties, and `ownerId` / `businessUnitId` when readable).
   */
  readableBy(subjectType: string): Promise<ReadonlySet<string>>;
}

export const EXPLAIN_READABLE_FIELDS = Symbol('custos:explain-readable-fields');

/** Minimal view of Nest's `ModuleRef` used to find the host's provider. */
interface ProviderLookup {
  get<T>(token: symbol, options: { strict: false }): T;
}

/** The host's `EXPLAIN_READABLE_FIELDS`, or `null` to check field permissions alone. */
export function lookUpReadableFields(moduleRef: ProviderLookup): ReadableFields | null {
  try {
    return moduleRef.get<ReadableFields>(EXPLAIN_READABLE_FIELDS, { strict: false });
  } catch {
    return null;
  }
}
