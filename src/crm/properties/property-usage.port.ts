import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ObjectType, PropertyDefinition } from '../kernel';

/** A custom property of one account's object type, as the features using it are told about it. */
export interface UsedProperty {
  readonly accountId: string;
  readonly objectType: ObjectType;
  readonly definition: PropertyDefinition;
}

/**
 * How a feature above properties (forms, records, attachments…) takes part in a property's
 * removal without properties importing it. Both hooks run in the removal's transaction.
 */
export interface PropertyUsage {
  /** Throws (a 409 naming what uses it) when the property must not be removed yet. */
  refuseRemoval?(manager: EntityManager, property: UsedProperty): Promise<void>;
  /**
   * Deletes this feature's data of the removed property. What it returns is added to the
   * `property.deleted` audit event's metadata: counts, never values.
   */
  removed?(manager: EntityManager, property: UsedProperty): Promise<Record<string, unknown> | void>;
}

/**
 * The port where features register their {@link PropertyUsage}, from `onModuleInit`:
 *
 * ```ts
 * constructor(private readonly usages: PropertyUsageRegistry) {}
 * onModuleInit() { this.usages.add(this); }
 * ```
 */
@Injectable()
export class PropertyUsageRegistry {
  private readonly usages: PropertyUsage[] = [];

  add(usage: PropertyUsage): void {
    this.usages.push(usage);
  }

  /** Throws the first refusal of any feature. */
  async refuseRemoval(manager: EntityManager, property: UsedProperty): Promise<void> {
    for (const usage of this.usages) {
      await usage.refuseRemoval?.(manager, property);
    }
  }

  /** Every feature's cleanup; their audit metadata merged. */
  async removed(manager: EntityManager, property: UsedProperty): Promise<Record<string, unknown>> {
    let metadata: Record<string, unknown> = {};
    for (const usage of this.usages) {
      metadata = { ...metadata, ...(await usage.removed?.(manager, property)) };
    }
    return metadata;
  }
}
