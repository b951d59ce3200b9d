import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService, RecordRule, conditionFields } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  isUniqueViolation,
  newId,
  isSuperAdminInPerson,
} from '@custos/core';
import { CrmAccessService } from '../records/crm-access.service';
import { CrmAttachment } from '../attachments/attachment.entity';
import type { RecordAccess } from '../records/record-access';
import { SYSTEM_PROPERTIES, objectTypeOf, type ObjectType } from '../kernel/object-types';
import { SensitiveDataService } from '../../sensitive-data/sensitive-data.service';
import { PropertyHistory } from '../history/property-history.entity';
import { BlindIndexEntry } from '../records/blind-index.entity';
import { UniqueValue } from '../records/unique-value.entity';
import { CrmForm } from '../forms/form.entity';
import { dialectOf } from '../kernel/sql-dialect';
import type { PropertySchema } from '../kernel/property-schema';
import { computedInputs, formulaInputs, parseFormula } from './calculation';
import { CustomPropertyDefinition } from './property-definition.entity';
import type { CreatePropertyDto, PropertyDefinitionDto, UpdatePropertyDto } from './property.dto';
import { COMPUTED_TYPES, type PropertyDefinition, type Sensitivity } from '../kernel/property-type';

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
  };
}

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
export class PropertyService {
  private readonly cache = new Map<string, { version: number; schema: PropertySchema }>();

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly sensitiveData: SensitiveDataService,
    private readonly access: AccessService,
    private readonly crmAccess: CrmAccessService,
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

  /** Score rules testing a property the actor may not read are shown without their value. */
  async list(objectTypeName: string): Promise<PropertyDefinitionDto[]> {
    const schema = await this.schema(objectTypeName);
    const access = await this.crmAccess.forSchema(schema);
    return [...schema.byName.values()].map((d) => toDto(d, schema, access));
  }

  async get(objectTypeName: string, name: string): Promise<PropertyDefinitionDto> {
    const schema = await this.schema(objectTypeName);
    const definition = schema.byName.get(name);
    if (!definition) {
      throw propertyNotFound(name);
    }
    return toDto(definition, schema, await this.crmAccess.forSchema(schema));
  }

  async create(objectTypeName: string, input: CreatePropertyDto): Promise<PropertyDefinitionDto> {
    const accountId = this.context.requireAccountId();
    try {
      return await this.transactions.run(async (manager) => {
        const schema = await this.schema(objectTypeName, manager);
        if (schema.byName.has(input.name)) {
          throw duplicateProperty(input.name);
        }
        const definition: PropertyDefinition = {
          name: input.name,
          label: input.label,
          groupName: input.groupName ?? 'custom',
          description: input.description ?? '',
          type: input.type,
          options: input.options ?? [],
          unique: input.unique ?? false,
          required: input.required ?? false,
          standard: false,
          formula: input.formula ?? null,
          scoreRules: input.scoreRules ?? [],
          sensitivity: input.sensitivity
            ? {
                phi: input.sensitivity.phi ?? false,
                highlySensitive: input.sensitivity.highlySensitive ?? false,
                access: input.sensitivity.access ?? 'everyone',
              }
            : null,
        };
        checkDefinition(definition, schema);
        await this.assertInputsReadable(definition, schema);
        if (definition.sensitivity) {
          await this.assertMayDefineSensitive(manager, accountId, 'create');
        }
        const now = this.clock.now();
        const { sensitivity, ...columns } = definition;
        await manager.insert(CustomPropertyDefinition, {
          id: newId(),
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
        return toDto(definition, {
          ...schema,
          readOnly: COMPUTED_TYPES.has(definition.type) ? new Set([definition.name]) : new Set(),
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw duplicateProperty(input.name);
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
      const schema = await this.schema(objectTypeName, manager);
      const current = schema.byName.get(name);
      if (!current) {
        throw propertyNotFound(name);
      }
      if (current.standard) {
        throw new CustosError(
          'conflict',
          'crm.standard_property',
          `"${name}" is a standard property: it cannot be changed or deleted.`,
        );
      }
      const next: PropertyDefinition = {
        ...current,
        label: input.label ?? current.label,
        groupName: input.groupName ?? current.groupName,
        description: input.description ?? current.description,
        type: input.type ?? current.type,
        options:
          input.options ?? (input.type && input.type !== 'enumeration' ? [] : current.options),
        required: input.required ?? current.required,
        formula:
          input.formula ?? (input.type && input.type !== 'calculation' ? null : current.formula),
        scoreRules:
          input.scoreRules ?? (input.type && input.type !== 'score' ? [] : current.scoreRules),
        sensitivity: nextSensitivity(current, input),
      };
      if (current.sensitivity) {
        await this.assertMayDefineSensitive(manager, accountId, 'edit');
      }
      if (next.type !== current.type) {
        refuseIfUsed(schema, name, 'retyped');
        await refuseIfInRules(manager, accountId, schema.objectType.name, name, 'retyped');
      }
      if (next.type !== current.type && (await this.hasValues(manager, schema, name))) {
        throw CustosError.invalidField(
          'crm.property_has_values',
          'type',
          'cannot change while records have values for this property',
        );
      }
      checkDefinition(next, schema);
      await this.assertInputsReadable(next, schema);
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
          updatedAt: this.clock.now(),
        },
      );
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'property.updated',
        targetType: 'property',
        targetId: `${schema.objectType.name}.${name}`,
        metadata: { before: auditView(current), after: auditView(next) },
      });
      return toDto(next, {
        ...schema,
        readOnly: COMPUTED_TYPES.has(next.type) ? new Set([name]) : new Set(),
      });
    });
  }

  /** Deletes a custom property and every value of it (for a file property: the files it holds). */
  async remove(objectTypeName: string, name: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const schema = await this.schema(objectTypeName, manager);
      const current = schema.byName.get(name);
      if (!current) {
        throw propertyNotFound(name);
      }
      if (current.standard) {
        throw new CustosError(
          'conflict',
          'crm.standard_property',
          `"${name}" is a standard property: it cannot be changed or deleted.`,
        );
      }
      refuseIfUsed(schema, name, 'deleted');
      await refuseIfOnForms(manager, accountId, schema.objectType.name, name);
      await refuseIfInRules(manager, accountId, schema.objectType.name, name, 'deleted');
      if (current.sensitivity) {
        await this.assertMayDefineSensitive(manager, accountId, 'delete');
      }
      const dialect = dialectOf(manager.connection.options.type);
      await manager
        .createQueryBuilder()
        .update(schema.objectType.table)
        .set({ custom: () => dialect.customWithout(name) })
        .where('account_id = :accountId', { accountId })
        .execute();
      await manager.delete(UniqueValue, {
        accountId,
        objectType: schema.objectType.name,
        propertyName: name,
      });
      await manager.delete(BlindIndexEntry, {
        accountId,
        objectType: schema.objectType.name,
        propertyName: name,
      });
      if (current.sensitivity) {
        // Destroying a sensitive property's values includes the ones its history kept.
        await manager.delete(PropertyHistory, {
          accountId,
          objectType: schema.objectType.name,
          propertyName: name,
        });
      }
      // A file property's files are its values: they go with it (their stored bytes follow with
      // `AttachmentSweepJob`, as for a purge).
      const filesDestroyed =
        current.type === 'file'
          ? ((
              await manager.delete(CrmAttachment, {
                accountId,
                objectType: schema.objectType.name,
                propertyName: name,
              })
            ).affected ?? 0)
          : 0;
      await manager.delete(CustomPropertyDefinition, {
        accountId,
        objectType: schema.objectType.name,
        name,
      });
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'property.deleted',
        targetType: 'property',
        targetId: `${schema.objectType.name}.${name}`,
        metadata: {
          before: auditView(current),
          ...(current.type === 'file' ? { filesDestroyed } : {}),
        },
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
    const access = await this.crmAccess.forSchema(schema);
    inputs.forEach((input, index) => {
      if (!access.canView(input)) {
        const field = definition.type === 'score' ? `scoreRules[${index}].propertyName` : 'formula';
        throw new CustosError(
          'forbidden',
          'crm.computed_input_not_readable',
          `You may not compute a property from "${input}": you may not read it.`,
          {
            errors: [{ field, message: `you may not read "${input}"` }],
            extensions: { property: input },
          },
        );
      }
    });
  }

  /**
   * Sensitive property definitions: super admins in person only; creating and editing need the
   * enterprise edition and the setting on, deleting stays possible after a downgrade.
   */
  private async assertMayDefineSensitive(
    manager: EntityManager,
    accountId: string,
    change: 'create' | 'edit' | 'delete',
  ): Promise<void> {
    const actor = this.context.requireActor();
    if (!isSuperAdminInPerson(actor)) {
      throw new CustosError(
        'forbidden',
        'crm.sensitive_property_super_admin_only',
        'Only super admins may create, edit or delete sensitive properties.',
      );
    }
    if (change === 'delete') {
      return;
    }
    const state = await this.sensitiveData.state(accountId, manager);
    if (!state.enterprise) {
      throw new CustosError(
        'forbidden',
        'crm.sensitive_property_edition',
        'Sensitive properties can only be deleted below the enterprise edition, not created or edited.',
      );
    }
    if (!state.enabled) {
      throw new CustosError(
        'conflict',
        'crm.sensitive_data_not_enabled',
        'Enable sensitive data for the account (POST /api/v1/settings/sensitive-data/enable) before creating sensitive properties.',
      );
    }
  }

  private async hasValues(
    manager: EntityManager,
    schema: PropertySchema,
    name: string,
  ): Promise<boolean> {
    const dialect = dialectOf(manager.connection.options.type);
    const row = await manager
      .createQueryBuilder()
      .select('1', 'found')
      .from(schema.objectType.table, 'r')
      .where('r.account_id = :accountId', { accountId: this.context.requireAccountId() })
      .andWhere(`${dialect.customValue('r', name, 'string')} IS NOT NULL`)
      .limit(1)
      .getRawOne<{ found: number }>();
    return row !== undefined;
  }
}

/**
 * A property read by a calculation's formula or a score's rules cannot be deleted or retyped:
 * the computed property would silently lose its value.
 */
function refuseIfUsed(schema: PropertySchema, name: string, change: 'deleted' | 'retyped'): void {
  const users = [...schema.byName.values()]
    .filter((d) => computedInputs(d).includes(name))
    .map((d) => d.name);
  if (users.length > 0) {
    throw new CustosError(
      'conflict',
      'crm.property_in_use',
      `"${name}" cannot be ${change}: ${users.map((u) => `"${u}"`).join(', ')} ${users.length === 1 ? 'is' : 'are'} computed from it. Change or delete ${users.length === 1 ? 'that property' : 'those properties'} first.`,
    );
  }
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
  change: 'deleted' | 'retyped',
): Promise<void> {
  const rules = (
    await manager.find(RecordRule, {
      select: { id: true, condition: true },
      where: { accountId, objectType },
    })
  ).filter((rule) => conditionFields(rule.condition).has(name));
  if (rules.length > 0) {
    throw new CustosError(
      'conflict',
      'crm.property_in_rule',
      `"${name}" cannot be ${change}: ${rules.length === 1 ? 'a record rule tests' : `${rules.length} record rules test`} it. Change or delete ${rules.length === 1 ? 'that rule' : 'those rules'} first.`,
      { extensions: { rules: rules.map((r) => r.id) } },
    );
  }
}

/** A property that forms collect stays until it is taken off them: their submissions would fail. */
async function refuseIfOnForms(
  manager: EntityManager,
  accountId: string,
  objectType: string,
  name: string,
): Promise<void> {
  const forms = (
    await manager.find(CrmForm, {
      select: { id: true, name: true, fields: true },
      where: { accountId, objectType },
    })
  ).filter((form) => form.fields.some((field) => field.property === name));
  if (forms.length > 0) {
    throw new CustosError(
      'conflict',
      'crm.property_on_form',
      `"${name}" cannot be deleted: the form${forms.length === 1 ? '' : 's'} ${forms.map((f) => `"${f.name}"`).join(', ')} collect${forms.length === 1 ? 's' : ''} it. Take it off ${forms.length === 1 ? 'that form' : 'those forms'} first.`,
      { extensions: { forms: forms.map((f) => f.id) } },
    );
  }
}

/** The sensitivity after an update: its details may change, whether it is sensitive may not. */
function nextSensitivity(
  current: PropertyDefinition,
  input: UpdatePropertyDto,
): Sensitivity | null {
  if (input.sensitivity === undefined) {
    return current.sensitivity;
  }
  if (input.sensitivity === null || !current.sensitivity) {
    throw CustosError.invalidField(
      'crm.sensitive_fixed',
      'sensitivity',
      'whether a property is sensitive is set when it is created and never changes',
    );
  }
  return {
    phi: input.sensitivity.phi ?? current.sensitivity.phi,
    highlySensitive: input.sensitivity.highlySensitive ?? current.sensitivity.highlySensitive,
    access: input.sensitivity.access ?? current.sensitivity.access,
  };
}

/** Cross-field rules of a definition, each refused with a 422 naming the field. */
function checkDefinition(definition: PropertyDefinition, schema: PropertySchema): void {
  const computed = COMPUTED_TYPES.has(definition.type);
  if (definition.sensitivity && computed) {
    throw CustosError.invalidField(
      'crm.sensitive_not_allowed',
      'sensitivity',
      `a ${definition.type} property is computed from other values and cannot be sensitive`,
    );
  }
  if (definition.sensitivity && definition.unique) {
    throw CustosError.invalidField(
      'crm.unique_not_allowed',
      'unique',
      'a sensitive property cannot require unique values (they would be compared in clear)',
    );
  }
  if (definition.unique && (computed || definition.type === 'bool')) {
    throw CustosError.invalidField(
      'crm.unique_not_allowed',
      'unique',
      `a ${definition.type} property cannot require unique values`,
    );
  }
  if (definition.required && computed) {
    throw CustosError.invalidField(
      'crm.required_not_allowed',
      'required',
      `a ${definition.type} property is computed and cannot be required`,
    );
  }
  if (definition.type === 'enumeration') {
    if (definition.options.length === 0) {
      throw CustosError.invalidField(
        'crm.options_required',
        'options',
        'an enumeration needs at least one option',
      );
    }
    const values = definition.options.map((o) => o.value);
    const duplicate = values.findIndex((v, i) => values.indexOf(v) !== i);
    if (duplicate >= 0) {
      throw CustosError.invalidField(
        'crm.duplicate_option',
        `options[${duplicate}].value`,
        'option values must be unique',
      );
    }
  } else if (definition.options.length > 0) {
    throw CustosError.invalidField(
      'crm.options_not_allowed',
      'options',
      'only enumeration properties have options',
    );
  }
  if (definition.type === 'calculation') {
    if (!definition.formula) {
      throw CustosError.invalidField(
        'crm.formula_required',
        'formula',
        'a calculation property needs a formula',
      );
    }
    const parsed = parseFormula(definition.formula);
    if ('error' in parsed) {
      throw CustosError.invalidField('crm.invalid_formula', 'formula', parsed.error);
    }
    for (const input of formulaInputs(parsed.formula)) {
      const used = schema.byName.get(input);
      if (!used || used.type !== 'number') {
        throw CustosError.invalidField(
          'crm.invalid_formula',
          'formula',
          `"${input}" is not a number property of this object type`,
        );
      }
      if (used.sensitivity) {
        throw CustosError.invalidField(
          'crm.invalid_formula',
          'formula',
          `"${input}" is sensitive: a computed value would show it in clear`,
        );
      }
    }
  } else if (definition.formula) {
    throw CustosError.invalidField(
      'crm.formula_not_allowed',
      'formula',
      'only calculation properties have a formula',
    );
  }
  if (definition.type === 'score') {
    definition.scoreRules.forEach((rule, index) => {
      if (!schema.byName.has(rule.propertyName) || rule.propertyName === definition.name) {
        throw CustosError.invalidField(
          'crm.invalid_score_rule',
          `scoreRules[${index}].propertyName`,
          'is not another property of this object type',
        );
      }
      if (schema.byName.get(rule.propertyName)!.sensitivity) {
        throw CustosError.invalidField(
          'crm.invalid_score_rule',
          `scoreRules[${index}].propertyName`,
          'is sensitive: a score would reveal its value',
        );
      }
    });
  } else if (definition.scoreRules.length > 0) {
    throw CustosError.invalidField(
      'crm.score_rules_not_allowed',
      'scoreRules',
      'only score properties have score rules',
    );
  }
}

/** `access`: the reader, when score rules may test properties they may not read. */
function toDto(
  definition: PropertyDefinition,
  schema: Pick<PropertySchema, 'readOnly'>,
  access?: RecordAccess,
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
  const { name, label, groupName, type, options, unique, required, formula, scoreRules } =
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
  };
}

function propertyNotFound(name: string): CustosError {
  return new CustosError(
    'not_found',
    'crm.property_not_found',
    `There is no property "${name}" on this object type.`,
  );
}

function duplicateProperty(name: string): CustosError {
  return new CustosError(
    'conflict',
    'crm.duplicate_property',
    `A property named "${name}" already exists on this object type.`,
    {
      errors: [{ field: 'name', message: 'is already taken on this object type' }],
    },
  );
}
