import { Injectable } from '@nestjs/common';
import { In, type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { Clock, RequestContext, TransactionHost, keysetPage, newId, type Page } from '@custos/core';
import type { PropertySchema, PropertyValue } from '../kernel';
import { changedNames } from '../properties';
import { historyValuePlaces, type HistoryEntryRef, type SensitiveFields } from '../sensitive';
import { PropertyHistory, type ChangeSource } from './property-history.entity';

/** A write's change to one record, as history needs it: its values before and after. */
export interface HistoryChange {
  record: {
    id: string;
    accountId: string;
    ownerId: string | null;
    values: Record<string, PropertyValue>;
  };
  before: Record<string, PropertyValue>;
}

/** Rows per insert statement: below SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 500;

/**
 * The property history of records: one row per changed value, written in the change's transaction
 * (sensitive values sealed like the records'), read by record and property.
 */
@Injectable()
export class PropertyHistoryService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {}

  /** Writes one entry per value the changes changed, by the acting person. */
  async write(
    manager: EntityManager,
    schema: PropertySchema,
    changes: readonly HistoryChange[],
    source: ChangeSource,
    sensitive: SensitiveFields | null,
  ): Promise<void> {
    const actor = this.context.requireActor();
    // Sensitive values are sealed like the records', each bound to its record, property and entry.
    const stored = (
      entry: HistoryEntryRef,
      side: 'old' | 'new',
      value: PropertyValue,
    ): string | null =>
      (value ?? null) === null
        ? null
        : JSON.stringify(
            sensitive?.has(entry.propertyName)
              ? sensitive.sealAt(
                  historyValuePlaces(schema.objectType.table, entry, side).place,
                  value,
                )
              : value,
          );
    const changedAt = this.clock.now();
    const rows: PropertyHistory[] = [];
    for (const { record, before } of changes) {
      const after: Record<string, PropertyValue> = { ...record.values, owner_id: record.ownerId };
      for (const name of changedNames(before, after)) {
        const entry = { id: newId(), recordId: record.id, propertyName: name };
        rows.push({
          ...entry,
          accountId: record.accountId,
          objectType: schema.objectType.name,
          oldValue: stored(entry, 'old', before[name]),
          newValue: stored(entry, 'new', after[name]),
          source,
          actorKind: actor.kind,
          actorId: actor.id,
          changedAt,
        });
      }
    }
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      await manager.insert(PropertyHistory, rows.slice(start, start + ROWS_PER_INSERT));
    }
  }

  /**
   * A page of a record's history, oldest first: of one `property`, or of all but the `hidden`
   * ones. The caller has checked the actor may read the record.
   */
  page(
    recordId: string,
    query: { property?: string; hidden: readonly string[]; limit?: number; after?: string },
  ): Promise<Page<PropertyHistory>> {
    const builder = this.ofRecord(recordId);
    if (query.property !== undefined) {
      builder.andWhere('h.propertyName = :property', { property: query.property });
    }
    if (query.hidden.length > 0) {
      builder.andWhere('h.propertyName NOT IN (:...hidden)', { hidden: [...query.hidden] });
    }
    return keysetPage(builder, 'h.id', (h) => h.id, query);
  }

  /** The account's entries of `objectType` among `ids` (any record: the caller checks access). */
  byIds(objectType: string, ids: readonly string[]): Promise<PropertyHistory[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : this.transactions.manager.find(PropertyHistory, {
          where: { accountId: this.context.requireAccountId(), objectType, id: In([...ids]) },
        });
  }

  /** Every entry of the named properties of a record, oldest first. */
  ofProperties(recordId: string, names: readonly string[]): Promise<PropertyHistory[]> {
    return this.ofRecord(recordId)
      .andWhere('h.propertyName IN (:...names)', { names: [...names] })
      .orderBy('h.id', 'ASC')
      .getMany();
  }

  /**
   * The history of the properties `names` of the records `records` selects (a scoped record query
   * selecting `r.id`, with the reader's rules): the caller adds its order and keyset.
   */
  ofRecords(
    objectType: string,
    names: readonly string[],
    records: SelectQueryBuilder<ObjectLiteral>,
  ): SelectQueryBuilder<PropertyHistory> {
    return this.transactions.manager
      .createQueryBuilder(PropertyHistory, 'h')
      .where('h.accountId = :historyAccountId AND h.objectType = :historyObjectType', {
        historyAccountId: this.context.requireAccountId(),
        historyObjectType: objectType,
      })
      .andWhere('h.propertyName IN (:...historyNames)', { historyNames: [...names] })
      .andWhere(`h.recordId IN (${records.getQuery()})`)
      .setParameters(records.getParameters());
  }

  /** Deletes the history of records being purged, in the purge's transaction (records call it). */
  async purgeRecords(
    manager: EntityManager,
    purged: { accountId: string; objectType: string; recordIds: readonly string[] },
  ): Promise<void> {
    const { accountId, objectType, recordIds } = purged;
    await manager.delete(PropertyHistory, { accountId, objectType, recordId: In(recordIds) });
  }

  private ofRecord(recordId: string): SelectQueryBuilder<PropertyHistory> {
    return this.transactions.manager
      .createQueryBuilder(PropertyHistory, 'h')
      .where('h.accountId = :accountId AND h.recordId = :recordId', {
        accountId: this.context.requireAccountId(),
        recordId,
      });
  }
}
