import type { AuditEventDto } from './audit-event.dto';

/**
 * What one reader may not see of one event's metadata: a set of names (property names, for a
 * CRM) removed wherever they appear, or `'all'` to show none of it.
 */
export type HiddenMetadata = ReadonlySet<string> | 'all';

/**
 * Port to the host's access rules for presenting the audit log: which names in each event's
 * metadata a reader may not see (e.g. properties they may not read on that object type, or every
 * property of a record outside their scope). Stored events never change — the hash chain still
 * verifies; only what the list route shows is reduced. Asked only when the reader, the request's
 * actor, is not a super admin in person.
 */
export interface AuditMetadataRedactor {
  /** What the request's actor may not see, one answer per event in the order given. */
  hiddenFrom(events: readonly AuditEventDto[]): Promise<readonly HiddenMetadata[]>;
}

export const AUDIT_METADATA_REDACTOR = Symbol('custos:audit-metadata-redactor');

/**
 * Used when the host provides no {@link AUDIT_METADATA_REDACTOR}: the lib cannot tell which names
 * in metadata are protected, so readers other than super admins in person see no metadata.
 */
export const HIDE_ALL_METADATA: AuditMetadataRedactor = {
  hiddenFrom: async (events) => events.map(() => 'all' as const),
};

/** Minimal view of Nest's `ModuleRef` used to find the host's redactor. */
interface ProviderLookup {
  get<T>(token: symbol, options: { strict: false }): T;
}

/** The host's `AUDIT_METADATA_REDACTOR`, or {@link HIDE_ALL_METADATA}. */
export function lookUpRedactor(moduleRef: ProviderLookup): AuditMetadataRedactor {
  try {
    return moduleRef.get<AuditMetadataRedactor>(AUDIT_METADATA_REDACTOR, { strict: false });
  } catch {
    return HIDE_ALL_METADATA;
  }
}

function namesHidden(item: unknown, hidden: ReadonlySet<string>): boolean {
  return typeof item === 'string' && hidden.has(item);
}

/** An object that names a hidden name as a member's value (`{ propertyName: 'ssn', value: … }`). */
function quotesHidden(item: unknown, hidden: ReadonlySet<string>): boolean {
  return (
    item !== null &&
    typeof item === 'object' &&
    !Array.isArray(item) &&
    Object.values(item).some((member) => namesHidden(member, hidden))
  );
}

function without(value: unknown, hidden: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) {
    // A listed object that names a hidden name goes whole: its other members (a filter's value)
    // are about that name.
    return value
      .filter((item) => !namesHidden(item, hidden) && !quotesHidden(item, hidden))
      .map((item: unknown) => without(item, hidden));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        // A member named after a hidden name, or whose value is one (`uniqueProperty: 'ssn'`).
        .filter(([key, item]) => !hidden.has(key) && !namesHidden(item, hidden))
        .map(([key, item]) => [key, without(item, hidden)]),
    );
  }
  return value;
}

/**
 * The metadata without the hidden names — as keys, as strings in lists and as string values, and
 * listed objects that name one — at any depth, and whether anything was removed.
 */
export function redactMetadata(
  metadata: Readonly<Record<string, unknown>>,
  hidden: HiddenMetadata,
): { metadata: Record<string, unknown>; redacted: boolean } {
  if (hidden === 'all') {
    return { metadata: {}, redacted: Object.keys(metadata).length > 0 };
  }
  if (hidden.size === 0) {
    return { metadata: { ...metadata }, redacted: false };
  }
  const reduced = without(metadata, hidden) as Record<string, unknown>;
  return { metadata: reduced, redacted: JSON.stringify(reduced) !== JSON.stringify(metadata) };
}
