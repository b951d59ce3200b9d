import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { TransactionHost, mapUniqueViolation, newId } from '@custos/core';
import type { PropertySchema } from '../kernel';
import { uniqueKeyOf } from '../properties';
import { RecordPurgeHooks, type PurgedRecords, type RecordPurgeHook } from './record-purge.port';
import type { RecordChange } from './record-store';
import { RecordErrors } from './records.errors';
import { UniqueValue } from './unique-value.entity';

/**
 * The values of unique properties, one row each: their unique index makes "no two records share a
 * value" hold under concurrent writes, and finds the record holding a value (import matching).
 */
@Injectable()
export class UniqueValues implements RecordPurgeHook, OnModuleInit {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly hooks: RecordPurgeHooks,
  ) {}

  onModuleInit(): void {
    this.hooks.add(this);
  }

  /**
   * Runs a write, answering a unique value a concurrent write took first (the index refused ours
   * after the checks of {@link reserve}) with 409 `crm.unique_value_taken`.
   */
  guard<T>(work: () => Promise<T>): Promise<T> {
    return mapUniqueViolation(work, RecordErrors.uniqueValueRaced);
  }

  /** The id of the record of the account holding `valueKey` (see `uniqueKeyOf`) for the property. */
  async recordIdByValue(
    schema: PropertySchema,
    accountId: string,
    propertyName: string,
    valueKey: string,
  ): Promise<string | null> {
    const row = await this.transactions.manager.findOneBy(UniqueValue, {
      accountId,
      objectType: schema.objectType.name,
      propertyName,
      valueKey,
    });
    return row?.recordId ?? null;
  }

  /**
   * Reserves the unique values the changes write and releases those records no longer hold. A value
   * another record holds (or another item of the same write) is a 409 naming `fieldOf(index)`.
   */
  async reserve(
    manager: EntityManager,
    schema: PropertySchema,
    changes: readonly RecordChange[],
    fieldOf: (index: number) => string,
  ): Promise<void> {
    const unique = [...schema.byName.values()].filter((d) => d.unique);
    if (unique.length === 0) {
      return;
    }
    const reserve: UniqueValue[] = [];
    const release: { recordId: string; propertyName: string }[] = [];
    const seen = new Map<string, number>();
    const taken = (index: number, property: string) =>
      RecordErrors.uniqueValueTaken(`${fieldOf(index)}.${property}`, property);
    for (const [index, { record, before }] of changes.entries()) {
      for (const definition of unique) {
        const next = record.values[definition.name] ?? null;
        const previous = before[definition.name] ?? null;
        if (next === previous) {
          continue;
        }
        if (previous !== null) {
          release.push({ recordId: record.id, propertyName: definition.name });
        }
        if (next !== null) {
          const valueKey = uniqueKeyOf(next);
          const key = `${definition.name}\u0000${valueKey}`;
          if (seen.has(key)) {
            throw taken(index, definition.name);
          }
          seen.set(key, index);
          reserve.push({
            id: newId(),
            accountId: record.accountId,
            objectType: schema.objectType.name,
            propertyName: definition.name,
            valueKey,
            recordId: record.id,
          });
        }
      }
    }
    for (const { recordId, propertyName } of release) {
      await manager.delete(UniqueValue, {
        accountId: changes[0].record.accountId,
        objectType: schema.objectType.name,
        propertyName,
        recordId,
      });
    }
    if (reserve.length === 0) {
      return;
    }
    const indexOf = (value: UniqueValue): number =>
      seen.get(`${value.propertyName}\u0000${value.valueKey}`)!;
    // Name the item whose value is taken; the unique index still decides under concurrency.
    const held = await manager.find(UniqueValue, {
      where: {
        accountId: reserve[0].accountId,
        objectType: schema.objectType.name,
        valueKey: In(reserve.map((r) => r.valueKey)),
      },
    });
    for (const row of held) {
      const clash = reserve.find(
        (r) =>
          r.propertyName === row.propertyName &&
          r.valueKey === row.valueKey &&
          r.recordId !== row.recordId,
      );
      if (clash) {
        throw taken(indexOf(clash), clash.propertyName);
      }
    }
    // A concurrent write may have taken a value since the check above. Its row wins and ours is
    // skipped (no error, which on PostgreSQL would abort the transaction), so the item can be named.
    await manager
      .createQueryBuilder()
      .insert()
      .into(UniqueValue)
      .values(reserve)
      .orIgnore()
      .execute();
    const inserted = new Set(
      (
        await manager.find(UniqueValue, {
          select: { id: true },
          where: { id: In(reserve.map((r) => r.id)) },
        })
      ).map((r) => r.id),
    );
    const lost = reserve.find((r) => !inserted.has(r.id));
    if (lost) {
      throw taken(indexOf(lost), lost.propertyName);
    }
  }

  async purgeRecords(
    manager: EntityManager,
    { accountId, objectType, recordIds }: PurgedRecords,
  ): Promise<void> {
    await manager.delete(UniqueValue, { accountId, objectType, recordId: In(recordIds) });
  }
}
