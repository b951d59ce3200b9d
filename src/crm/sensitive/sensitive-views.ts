import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';

/**
 * Which sensitive values a read showed in clear, by object type: record ids and property names,
 * never values. A read returns them with what it shows ({@link Shown}); whoever hands the result
 * on (a route, a background reader) writes them with {@link SensitiveViewAudit}.
 */
export class SensitiveViews {
  private readonly byType = new Map<string, { records: Set<string>; properties: Set<string> }>();

  /** Notes that `property` of `recordId` was shown in clear. */
  shown(objectType: string, recordId: string, property: string): void {
    const entry = this.entryOf(objectType);
    entry.records.add(recordId);
    entry.properties.add(property);
  }

  /** Adds the views of another read (one response made of several reads is one event per type). */
  merge(other: SensitiveViews): void {
    for (const [objectType, { records, properties }] of other.byType) {
      const entry = this.entryOf(objectType);
      records.forEach((id) => entry.records.add(id));
      properties.forEach((name) => entry.properties.add(name));
    }
  }

  /** Per object type, the records and properties shown, sorted. */
  entries(): { objectType: string; recordIds: string[]; properties: string[] }[] {
    return [...this.byType].map(([objectType, entry]) => ({
      objectType,
      recordIds: [...entry.records].sort(),
      properties: [...entry.properties].sort(),
    }));
  }

  private entryOf(objectType: string): { records: Set<string>; properties: Set<string> } {
    let entry = this.byType.get(objectType);
    if (!entry) {
      entry = { records: new Set(), properties: new Set() };
      this.byType.set(objectType, entry);
    }
    return entry;
  }
}

/** What a read shows, with the sensitive values it opened to show it. */
export interface Shown<T> {
  value: T;
  views: SensitiveViews;
}

/** Writes the `sensitive_data.viewed` events of what a read showed, before it is handed on. */
@Injectable()
export class SensitiveViewAudit {
  constructor(private readonly audit: AuditService) {}

  /** One event per object type, however many records were shown; returns the value shown. */
  async audited<T>({ value, views }: Shown<T>): Promise<T> {
    for (const { objectType, recordIds, properties } of views.entries()) {
      await this.audit.record({
        action: 'sensitive_data.viewed',
        targetType: objectType,
        targetId: recordIds.length === 1 ? recordIds[0] : `${recordIds.length} records`,
        metadata: { recordIds, properties },
      });
    }
    return value;
  }
}
