import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EnvelopeColumnRotationSource,
  KeyRotationRegistry,
  type EnvelopeColumns,
  type SealedSlot,
} from '@custos/crypto';
import { AuditService } from '@custos/audit';
import { systemActor } from '@custos/core';
import { OBJECT_TYPES, objectTypeOf, type ObjectType } from '../kernel';
import { CustomPropertyDefinition } from '../properties';
import { sealedDigest, type SealedDigests } from './sealed-digests';
import { historyValuePlaces, recordValuePlace } from './sealed-places';

/** Sensitive custom properties of the account, as `objectType` → names. */
export async function sensitiveProperties(
  manager: EntityManager,
  accountId: string,
): Promise<Map<string, Set<string>>> {
  const definitions = await manager.find(CustomPropertyDefinition, {
    select: { objectType: true, name: true },
    where: { accountId, sensitive: true },
  });
  const byType = new Map<string, Set<string>>();
  for (const { objectType, name } of definitions) {
    byType.set(objectType, (byType.get(objectType) ?? new Set()).add(name));
  }
  return byType;
}

interface RecordRow {
  id: string;
  custom: string;
}

/**
 * Sensitive values of one object type's records: envelopes in the `custom` JSON text, at
 * `recordValuePlace`. Each batch that re-seals values records their digests (`record.resealed`),
 * so verification tells a rotation from a rollback.
 */
export function recordValuesColumns(
  objectType: ObjectType,
  audit: AuditService,
): EnvelopeColumns<RecordRow, ReadonlySet<string>> {
  return {
    name: objectType.table,
    table: objectType.table,
    columns: ['id', 'custom'],
    envelopeColumns: ['custom'],
    envelopeLike: 'inJson',
    scope: async (manager, accountId) =>
      (await sensitiveProperties(manager, accountId)).get(objectType.name) ?? null,
    slots: (row, names) => {
      const custom = JSON.parse(row.custom) as Record<string, unknown>;
      return [...names].map((name) => ({
        key: name,
        value: custom[name],
        place: recordValuePlace(objectType.table, name, row.id),
      }));
    },
    rewrite: (row, resealed) => [
      JSON.stringify({ ...(JSON.parse(row.custom) as object), ...Object.fromEntries(resealed) }),
    ],
    afterRewrite: async (_manager, accountId, rows) => {
      const digests: Record<string, SealedDigests> = {};
      for (const { row, resealed } of rows) {
        for (const [name, sealed] of resealed) {
          (digests[row.id] ??= {})[name] = sealedDigest(sealed);
        }
      }
      await audit.record({
        accountId,
        actor: systemActor(accountId),
        action: 'record.resealed',
        targetType: objectType.name,
        metadata: { recordIds: rows.map(({ row }) => row.id), sealedDigests: digests },
      });
    },
  };
}

interface HistoryRow {
  id: string;
  object_type: string;
  record_id: string;
  property_name: string;
  old_value: string | null;
  new_value: string | null;
}

const SIDES = [
  { side: 'old', column: 'old_value' },
  { side: 'new', column: 'new_value' },
] as const;

/**
 * Sensitive values in the property history: `old_value` / `new_value` hold the JSON text of an
 * envelope bound as `historyValuePlaces` says (format 1: to the entry alone, sealed again into the
 * record-and-property binding here). Only rows of sensitive properties are read.
 */
export const HISTORY_VALUES_COLUMNS: EnvelopeColumns<HistoryRow, Map<string, Set<string>>> = {
  name: 'crm_property_history',
  table: 'crm_property_history',
  columns: ['id', 'object_type', 'record_id', 'property_name', 'old_value', 'new_value'],
  envelopeColumns: ['old_value', 'new_value'],
  envelopeLike: 'jsonString',
  scope: async (manager, accountId) => {
    const sensitive = await sensitiveProperties(manager, accountId);
    return sensitive.size === 0 ? null : sensitive;
  },
  narrow: (builder, sensitive) => {
    const names = [...new Set([...sensitive.values()].flatMap((set) => [...set]))];
    builder.andWhere('t.property_name IN (:...names)', { names });
  },
  slots: (row, sensitive): SealedSlot[] => {
    if (!sensitive.get(row.object_type)?.has(row.property_name)) {
      return [];
    }
    const table = objectTypeOf(row.object_type).table;
    const entry = { id: row.id, recordId: row.record_id, propertyName: row.property_name };
    return SIDES.map(({ side, column }) => ({
      key: side,
      value: stored(row[column]),
      ...historyValuePlaces(table, entry, side),
    }));
  },
  rewrite: (row, resealed) =>
    SIDES.map(({ side, column }) => {
      const sealed = resealed.get(side);
      return sealed === undefined ? row[column] : JSON.stringify(sealed);
    }),
};

/** A history column's JSON text, parsed; `null` when empty or not JSON. */
function stored(text: string | null): unknown {
  if (text === null) {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Registers where the CRM keeps sensitive values with the key rotation. */
@Injectable()
export class CrmRotationSources implements OnModuleInit {
  constructor(
    private readonly registry: KeyRotationRegistry,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    for (const objectType of Object.values(OBJECT_TYPES)) {
      this.registry.addSource(
        new EnvelopeColumnRotationSource(recordValuesColumns(objectType, this.audit)),
      );
    }
    this.registry.addSource(new EnvelopeColumnRotationSource(HISTORY_VALUES_COLUMNS));
  }
}
