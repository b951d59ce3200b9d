import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService } from '@custos/access';
import { RequestContext, TransactionHost } from '@custos/core';
import {
  COMPUTED_TYPES,
  objectTypeOf,
  SYSTEM_PROPERTIES,
  type ObjectType,
  type PropertyDefinition,
  type PropertySchema,
} from '../kernel';
import { CustomPropertyDefinition } from './property-definition.entity';

function standardDefinitions(objectType: ObjectType): PropertyDefinition[] {
  return [
    ...objectType.standard.map((p) => ({
      name: p.name,
      label: p.label,
      groupName: p.groupName ?? `${objectType.singular}information`,
      description: '',
      type: p.type,
      options: p.options ?? [],
      unique: p.unique ?? false,
      required: false,
      standard: true,
      formula: null,
      scoreRules: [],
      sensitivity: null,
      indexed: false,
      indexState: null,
    })),
    ...SYSTEM_PROPERTIES.map((p) => ({
      name: p.name,
      label: p.label,
      groupName: `${objectType.singular}information`,
      description: '',
      type: p.type,
      options: [],
      unique: false,
      required: false,
      standard: true,
      formula: null,
      scoreRules: [],
      sensitivity: null,
      indexed: false,
      indexState: null,
    })),
  ];
}

function toDefinition(entity: CustomPropertyDefinition): PropertyDefinition {
  return {
    name: entity.name,
    label: entity.label,
    groupName: entity.groupName,
    description: entity.description,
    type: entity.type,
    options: entity.options,
    unique: entity.unique,
    required: entity.required,
    standard: false,
    formula: entity.formula,
    scoreRules: entity.scoreRules,
    sensitivity: entity.sensitive
      ? { phi: entity.phi, highlySensitive: entity.highlySensitive, access: entity.valueAccess }
      : null,
    indexed: entity.indexed,
    indexState: entity.indexed ? entity.indexState : null,
    dataCategory: entity.dataCategory,
  };
}

/** Schemas kept per instance; the oldest goes first beyond this many (account × object type). */
const SCHEMA_CACHE_SIZE = 10_000;

/**
 * Property definitions per object type: standard ones from code, custom ones per account.
 *
 * Schemas are cached per (account, object type) under the account's access version, which
 * every change of a custom property raises in its own transaction: each request compares the
 * version it read (at sign-in), so it sees a change made on any instance. Only reads outside a
 * transaction fill the cache, so nothing that may still roll back is ever served from it.
 */
@Injectable()
export class PropertySchemaService {
  private readonly cache = new Map<string, { version: number; schema: PropertySchema }>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: AccessService,
  ) {}

  /**
   * The schema of an object type for the actor's account: from the cache when custom
   * properties have not changed since, else one indexed query. Inside a transaction (or given
   * its `manager`) always read there, as the transaction may have changed them.
   */
  async schema(objectTypeName: string, manager?: EntityManager): Promise<PropertySchema> {
    const objectType = objectTypeOf(objectTypeName);
    const accountId = this.context.requireAccountId();
    if (manager || this.transactions.inTransaction) {
      return this.read(objectType, accountId, manager ?? this.transactions.manager);
    }
    const version = await this.access.currentVersion(accountId);
    const key = `${accountId}:${objectType.name}`;
    const cached = this.cache.get(key);
    if (cached && cached.version === version) {
      return cached.schema;
    }
    const schema = await this.read(objectType, accountId, this.transactions.manager);
    this.cache.delete(key);
    if (this.cache.size >= SCHEMA_CACHE_SIZE) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, { version, schema });
    return schema;
  }

  private async read(
    objectType: ObjectType,
    accountId: string,
    manager: EntityManager,
  ): Promise<PropertySchema> {
    const custom = await manager.find(CustomPropertyDefinition, {
      where: { accountId, objectType: objectType.name },
      order: { name: 'ASC' },
    });
    const definitions = [...standardDefinitions(objectType), ...custom.map(toDefinition)];
    const columns = new Map<string, string>([
      ...objectType.standard.map((p) => [p.name, p.name] as [string, string]),
      ...SYSTEM_PROPERTIES.map((p) => [p.name, p.column] as [string, string]),
    ]);
    const readOnly = new Set([
      ...SYSTEM_PROPERTIES.filter((p) => p.readOnly).map((p) => p.name),
      ...definitions.filter((d) => COMPUTED_TYPES.has(d.type)).map((d) => d.name),
    ]);
    return { objectType, byName: new Map(definitions.map((d) => [d.name, d])), columns, readOnly };
  }
}
