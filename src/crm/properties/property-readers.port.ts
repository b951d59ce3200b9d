import type { PropertySchema } from '../kernel';

/** Whether the acting person may read a property of one schema. */
export interface ReadableProperties {
  canView(name: string): boolean;
}

/**
 * Which properties the acting person may read (field permissions, who sees sensitive values).
 * Records own that rule and sit above properties, so they provide this port (their
 * `CrmAccessService`) under {@link PROPERTY_READERS}; property definitions ask it.
 */
export interface PropertyReaders {
  forSchema(schema: PropertySchema): Promise<ReadableProperties>;
}

/** Injection token of {@link PropertyReaders}. */
export const PROPERTY_READERS = Symbol('custos:crm-property-readers');
