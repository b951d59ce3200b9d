import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService, RecordRule, conditionFields } from '@custos/access';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, isUniqueViolation, newId } from '@custos/core';
import { SensitivePropertyPolicy } from './sensitive-property-policy';
import {
  COMPUTED_TYPES,
  dialectOf,
  objectTypeOf,
  selectAccountRows,
  type PropertyDefinition,
  type PropertySchema,
  type Sensitivity,
} from '../kernel';
import { computedInputs } from './calculation';
import { CustomPropertyIndexes, type IndexedProperty } from './custom-property-indexes';
import { propertyErrors, type PropertyChange } from './properties.errors';
import { CustomPropertyDefinition } from './property-definition.entity';
import {
  checkDefinition,
  newDefinition,
  refuseIfComputedFrom,
  updatedDefinition,
} from './property-rules';
import {
  PROPERTY_READERS,
  type PropertyReaders,
  type ReadableProperties,
} from './property-readers.port';
import { PropertySchemaService } from './property-schemas.service';
import { PropertyUsageRegistry } from './property-usage.port';
import type { CreatePropertyDto, PropertyDefinitionDto, UpdatePropertyDto } from './property.dto';

/** The columns of a definition's sensitivity. */
function sensitivityColumns(
  sensitivity: Sensitivity | null,
): Pick<CustomPropertyDefinition, 'sensitive' | 'phi' | 'highlySensitive' | 'valueAccess'> {
  return {
    sensitive: sensitivity !== null,
    phi: sensitivity?.phi ?? false,
    highlySensitive: sensitivity?.highlySensitive ?? false,
    valueAccess: sensitivity?.access ?? 'everyone',
  };
}

/**
 * The administration of property definitions: list, read, create, change and delete custom
 * properties. Every change raises the account's access version (cached schemas and abilities
 * name properties) and is audited; features using a property veto or follow its removal
 * through {@link PropertyUsageRegistry}.
 */
@Injectable()
export class PropertyDefinitionService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly access: AccessService,
    @Inject(PROPERTY_READERS) private readonly readers: PropertyReaders,
    private readonly schemas: PropertySchemaService,
    private readonly sensitivePolicy: SensitivePropertyPolicy,
    private readonly usages: PropertyUsageRegistry,
    private readonly indexes: CustomPropertyIndexes,
  ) {}

  /** Score rules testing a property the actor may not read are shown without their value. */
  async list(objectTypeName: string): Promise<PropertyDefinitionDto[]> {
    const schema = await this.schemas.schema(objectTypeName);
    const access = await this.readers.forSchema(schema);
    return [...schema.byName.values()].map((d) => toDto(d, schema, access));
  }

  async get(objectTypeName: string, name: string): Promise<PropertyDefinitionDto> {
    const schema = await this.schemas.schema(objectTypeName);
    const definition = schema.byName.get(name);
    if (!definition) {
      throw propertyErrors.notFound(name);
    }
    return toDto(definition, schema, await this.readers.forSchema(schema));
  }

  async create(objectTypeName: string, input: CreatePropertyDto): Promise<PropertyDefinitionDto> {
    const accountId = this.context.requireAccountId();
    try {
      return await this.transactions.run(async (manager) => {
        const schema = await this.schemas.schema(objectTypeName, manager);
        if (schema.byName.has(input.name)) {
          throw propertyErrors.duplicate(input.name);
        }
        const definition = newDefinition(input);
        checkDefinition(definition, schema);
        await this.assertInputsReadable(definition, schema);
        if (definition.sensitivity) {
          await this.sensitivePolicy.assertMayDefine(manager, accountId, 'create');
        }
        const now = this.clock.now();
        const id = newId();
        if (definition.indexed) {
          definition.indexState = await this.indexes.mark(
            manager,
            {
              id,
              accountId,
              objectType: schema.objectType,
              name: definition.name,
              type: definition.type,
            },
            now,
          );
        }
        const { sensitivity, ...columns } = definition;
        await manager.insert(CustomPropertyDefinition, {
          id,
          accountId,
          objectType: schema.objectType.name,
          ...columns,
          ...sensitivityColumns(sensitivity),
          createdAt: now,
          updatedAt: now,
        });
        // Cached schemas and abilities (which may name properties) are now stale everywhere.
        await this.access.bump(accountId);
        await this.audit.record({
          action: 'property.created',
          targetType: 'property',
          targetId: `${schema.objectType.name}.${definition.name}`,
          metadata: { after: auditView(definition) },
        });
        return toDto(definition, readOnlyIfComputed(definition));
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw propertyErrors.duplicate(input.name);
      }
      throw error;
    }
  }

  async update(
    objectTypeName: string,
    name: string,
    input: UpdatePropertyDto,
  ): Promise<PropertyDefinitionDto> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const row = await lockedRow(manager, accountId, objectTypeName, name);
      const schema = await this.schemas.schema(objectTypeName, manager);
      const current = customDefinition(schema, name);
      const next = updatedDefinition(current, input);
      if (current.sensitivity) {
        await this.sensitivePolicy.assertMayDefine(manager, accountId, 'edit');
      }
      if (next.type !== current.type) {
        if (current.indexed && next.indexed) {
          throw propertyErrors.indexNotAllowed(
            'an indexed property keeps its type: unmark it (indexed: false) to change the type',
          );
        }
        refuseIfComputedFrom(schema, name, 'retyped');
        await refuseIfInRules(manager, accountId, schema.objectType.name, name, 'retyped');
        if (await this.hasValues(manager, schema, name)) {
          throw propertyErrors.hasValues();
        }
      }
      checkDefinition(next, schema);
      await this.assertInputsReadable(next, schema);
      const now = this.clock.now();
      const property: IndexedProperty = {
        id: row!.id,
        accountId,
        objectType: schema.objectType,
        name,
        type: next.type,
      };
      // Marking a property whose build failed builds it again.
      if (next.indexed && (!current.indexed || current.indexState === 'failed')) {
        next.indexState = await this.indexes.mark(manager, property, now);
      } else if (!next.indexed) {
        next.indexState = null;
      }
      await manager.update(
        CustomPropertyDefinition,
        { accountId, objectType: schema.objectType.name, name },
        {
          label: next.label,
          groupName: next.groupName,
          description: next.description,
          type: next.type,
          options: next.options,
          required: next.required,
          formula: next.formula,
          scoreRules: next.scoreRules,
          ...sensitivityColumns(next.sensitivity),
          indexed: next.indexed,
          indexState: next.indexState,
          dataCategory: next.dataCategory ?? null,
          updatedAt: now,
        },
      );
      if (current.indexed && !next.indexed) {
        await this.indexes.unmark(manager, property, now);
      }
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'property.updated',
        targetType: 'property',
        targetId: `${schema.objectType.name}.${name}`,
        metadata: { before: auditView(current), after: auditView(next) },
      });
      return toDto(next, readOnlyIfComputed(next));
    });
  }

  /**
   * Deletes a custom property and, through the features that use it, every value of it (for a
   * file property: the files it holds).
   */
  async remove(objectTypeName: string, name: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const row = await lockedRow(manager, accountId, objectTypeName, name);
      const schema = await this.schemas.schema(objectTypeName, manager);
      const current = customDefinition(schema, name);
      const property = { accountId, objectType: schema.objectType, definition: current };
      refuseIfComputedFrom(schema, name, 'deleted');
      await this.usages.refuseRemoval(manager, property);
      await refuseIfInRules(manager, accountId, schema.objectType.name, name, 'deleted');
      if (current.sensitivity) {
        await this.sensitivePolicy.assertMayDefine(manager, accountId, 'delete');
      }
      const cleanup = await this.usages.removed(manager, property);
      await manager.delete(CustomPropertyDefinition, {
        accountId,
        objectType: schema.objectType.name,
        name,
      });
      if (current.indexed) {
        await this.indexes.unmark(
          manager,
          { id: row!.id, accountId, objectType: schema.objectType, name, type: current.type },
          this.clock.now(),
        );
      }
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'property.deleted',
        targetType: 'property',
        targetId: `${schema.objectType.name}.${name}`,
        metadata: { before: auditView(current), ...cleanup },
      });
    });
  }

  /**
   * A computed property shows what its inputs derive, so defining or changing one is refused
   * (403 naming the input) unless the actor may read every input, through computed ones too.
   */
  private async assertInputsReadable(
    definition: PropertyDefinition,
    schema: PropertySchema,
  ): Promise<void> {
    const inputs = computedInputs(definition);
    if (inputs.length === 0) {
      return;
    }
    const access = await this.readers.forSchema(schema);
    inputs.forEach((input, index) => {
      if (!access.canView(input)) {
        const field = definition.type === 'score' ? `scoreRules[${index}].propertyName` : 'formula';
        throw propertyErrors.computedInputNotReadable(input, field);
      }
    });
  }

  private async hasValues(
    manager: EntityManager,
    schema: PropertySchema,
    name: string,
  ): Promise<boolean> {
    const dialect = dialectOf(manager.connection.options.type);
    // Any record of the account, archived or not and whoever may read it: a retype would break it.
    const row = await selectAccountRows(
      manager,
      schema.objectType.table,
      this.context.requireAccountId(),
    )
      .select('1', 'found')
      .andWhere(`${dialect.customValue('r', name, 'string')} IS NOT NULL`)
      .limit(1)
      .getRawOne<{ found: number }>();
    return row !== undefined;
  }
}

/**
 * The row of custom property `name`, locked on PostgreSQL so that concurrent changes of one
 * property (two admins marking it indexed) run one after the other and see each other's result;
 * SQLite transactions are serialised already. Missing for standard and unknown properties.
 */
async function lockedRow(
  manager: EntityManager,
  accountId: string,
  objectTypeName: string,
  name: string,
): Promise<CustomPropertyDefinition | null> {
  const postgres = dialectOf(manager.connection.options.type).postgres;
  return manager.findOne(CustomPropertyDefinition, {
    select: { id: true },
    where: { accountId, objectType: objectTypeOf(objectTypeName).name, name },
    ...(postgres ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
}

/** The custom property `name` (404 when there is none, 409 for a standard one). */
function customDefinition(schema: PropertySchema, name: string): PropertyDefinition {
  const current = schema.byName.get(name);
  if (!current) {
    throw propertyErrors.notFound(name);
  }
  if (current.standard) {
    throw propertyErrors.standard(name);
  }
  return current;
}

/**
 * A property a record rule tests stays until the rule is changed: without it a deny rule would
 * match nothing — silently widening access — and a restrict rule would hide everything.
 */
async function refuseIfInRules(
  manager: EntityManager,
  accountId: string,
  objectType: string,
  name: string,
  change: PropertyChange,
): Promise<void> {
  const rules = (
    await manager.find(RecordRule, {
      select: { id: true, condition: true },
      where: { accountId, objectType },
    })
  ).filter((rule) => conditionFields(rule.condition).has(name));
  if (rules.length > 0) {
    throw propertyErrors.testedByRules(
      name,
      change,
      rules.map((r) => r.id),
    );
  }
}

function readOnlyIfComputed(definition: PropertyDefinition): Pick<PropertySchema, 'readOnly'> {
  return {
    readOnly: COMPUTED_TYPES.has(definition.type) ? new Set([definition.name]) : new Set(),
  };
}

/** `access`: the reader, when score rules may test properties they may not read. */
function toDto(
  definition: PropertyDefinition,
  schema: Pick<PropertySchema, 'readOnly'>,
  access?: ReadableProperties,
): PropertyDefinitionDto {
  return {
    ...definition,
    scoreRules: definition.scoreRules.map((rule) => {
      if (!access || access.canView(rule.propertyName)) {
        return rule;
      }
      return {
        propertyName: rule.propertyName,
        operator: rule.operator,
        points: rule.points,
        valueRedacted: true,
      };
    }),
    readOnly: schema.readOnly.has(definition.name),
  };
}

function auditView(definition: PropertyDefinition): Record<string, unknown> {
  const { name, label, groupName, type, options, unique, required, formula, scoreRules, indexed } =
    definition;
  return {
    sensitivity: definition.sensitivity,
    name,
    label,
    groupName,
    type,
    options: options.map((o) => o.value),
    unique,
    required,
    formula,
    scoreRules,
    indexed,
    dataCategory: definition.dataCategory ?? null,
  };
}
