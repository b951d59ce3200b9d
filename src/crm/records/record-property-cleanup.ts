import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PropertyHistory } from '../history';
import { dialectOf, updateAccountRows } from '../kernel';
import { PropertyUsageRegistry, type PropertyUsage, type UsedProperty } from '../properties';
import { BlindIndexEntry } from './blind-index.entity';
import { UniqueValue } from './unique-value.entity';

/**
 * When a custom property is removed, its values go from the records with it: the value in every
 * record (archived ones too), its unique-value reservations and blind-index tokens, and for a
 * sensitive property the values its history kept.
 */
@Injectable()
export class RecordPropertyCleanup implements PropertyUsage, OnModuleInit {
  constructor(private readonly usages: PropertyUsageRegistry) {}

  onModuleInit(): void {
    this.usages.add(this);
  }

  async removed(manager: EntityManager, property: UsedProperty): Promise<void> {
    const { accountId, objectType, definition } = property;
    const dialect = dialectOf(manager.connection.options.type);
    await updateAccountRows(manager, objectType.table, accountId)
      .set({ custom: () => dialect.customWithout(definition.name) })
      .execute();
    const rowsOfIt = { accountId, objectType: objectType.name, propertyName: definition.name };
    await manager.delete(UniqueValue, rowsOfIt);
    await manager.delete(BlindIndexEntry, rowsOfIt);
    if (definition.sensitivity) {
      // Destroying a sensitive property's values includes the ones its history kept.
      await manager.delete(PropertyHistory, rowsOfIt);
    }
  }
}
