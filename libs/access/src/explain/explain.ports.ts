/**
 * Port to the host's field-level read check (field permissions and, for a CRM, who may see
 * sensitive values in clear), so that explain answers only about what its caller may read.
 */
export interface ReadableProperties {
  /** Names of the properties of `subjectType` that the request's actor may read. */
  readableBy(subjectType: string): Promise<ReadonlySet<string>>;
}

export const EXPLAIN_READABLE_PROPERTIES = Symbol('custos:explain-readable-properties');

/** Minimal view of Nest's `ModuleRef` used to find the host's provider. */
interface ProviderLookup {
  get<T>(token: symbol, options: { strict: false }): T;
}

/** The host's `EXPLAIN_READABLE_PROPERTIES`, or `null` to check field permissions alone. */
export function lookUpReadableProperties(moduleRef: ProviderLookup): ReadableProperties | null {
  try {
    return moduleRef.get<ReadableProperties>(EXPLAIN_READABLE_PROPERTIES, { strict: false });
  } catch {
    return null;
  }
}
