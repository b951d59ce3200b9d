import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  isUniqueViolation,
  keysetPage,
  mapPage,
  newId,
  type Page,
  isMemberInPerson,
} from '@custos/core';
import { Membership } from '@custos/identity';
import { CrmAccessService } from './crm-access.service';
import type { RecordAccess } from './record-access';
import { Association } from '../associations/association.entity';
import { holdAttachments } from '../attachments/attachment-holders';
import { CrmAttachment } from '../attachments/attachment.entity';
import { historyValuePlaces, type HistoryEntryRef } from '../history/history-places';
import { PropertyHistory, type ChangeSource } from '../history/property-history.entity';
import { evaluateFormula, evaluateScore, parseFormula } from '../properties/calculation';
import { PropertyService } from '../properties/property.service';
import type { PropertySchema } from '../kernel/property-schema';
import { normalizeValue, uniqueKeyOf } from '../properties/property-values';
import type { PropertyValue } from '../kernel/property-type';
import {
  findRecords,
  fromRow,
  insertRecords,
  recordColumns,
  updateRecord,
  type StoredRecord,
} from './record-store';
import type { HistoryEntryDto, RecordDto, RevealedValuesDto } from './record.dto';
import type { SensitiveFields } from '../sensitive/sensitive-fields';
import { writtenDigests } from '../sensitive/sealed-digests';
import { BlindIndexEntry } from './blind-index.entity';
import { RecordPresenter, openValue } from './record.presenter';
import { UniqueValue } from './unique-value.entity';

/** Records as a write left them (values in clear in memory) and the access they were written with. */
export interface WrittenRecords {
  records: StoredRecord[];
  access: RecordAccess;
}

/** Archived records are purged this long after archiving. */
export const ARCHIVE_RETENTION_DAYS = 90;

/** A write refused for one item of a batch: the field path is prefixed with the item's place. */
function inItem(error: unknown, prefix: string): unknown {
  if (error instanceof CustosError && error.options.errors?.length) {
    const errors = error.options.errors.map((e) => ({
      field: `${prefix}.${e.field}`,
      message: e.message,
    }));
    return new CustosError(
      error.kind,
      error.code,
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      { ...error.options, errors },
    );
  }
  return error;
}

function recordNotFound(schema: PropertySchema): CustosError {
  return new CustosError(
    'not_found',
    'crm.record_not_found',
    `The ${schema.objectType.singular} was not found.`,
  );
}

/**
 * CRM records of any object type: validated writes with property history, unique values,
 * computed properties and audit events, all in one transaction; reads as raw rows.
 */
@Injectable()
export class RecordService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly crmAccess: CrmAccessService,
    private readonly presenter: RecordPresenter,
  ) {}

  async get(
    objectType: string,
    id: string,
    selection?: string[],
    archived = false,
  ): Promise<RecordDto> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    const [record] = await findRecords(
      this.transactions.manager,
      schema,
      this.context.requireAccountId(),
      [id],
      { archived, where: access.where('read') },
    );
    if (!record) {
      throw recordNotFound(schema);
    }
    return this.presenter.record(record, this.selected(schema, selection, 'properties'), access);
  }

  async list(
    objectType: string,
    query: { limit?: number; after?: string; properties?: string[]; archived?: boolean },
  ): Promise<Page<RecordDto>> {
    const schema = await this.properties.schema(objectType);
    const selection = this.selected(schema, query.properties, 'properties');
    const builder = this.transactions.manager
      .createQueryBuilder()
      .select(recordColumns(schema))
      .from(schema.objectType.table, 'r')
      .where('r.account_id = :accountId', { accountId: this.context.requireAccountId() })
      .andWhere(query.archived ? 'r.archived_at IS NOT NULL' : 'r.archived_at IS NULL');
    const access = await this.crmAccess.forSchema(schema);
    const readable = access.where('read');
    builder.andWhere(readable.sql, readable.parameters);
    const page = await keysetPage(
      builder,
      'r.id',
      (row: Record<string, unknown>) => row.id as string,
      query,
      (b) => b.getRawMany(),
    );
    return mapPage(page, (row) => this.presenter.record(fromRow(schema, row), selection, access));
  }

  async batchRead(objectType: string, ids: string[], selection?: string[]): Promise<RecordDto[]> {
    const schema = await this.properties.schema(objectType);
    const names = this.selected(schema, selection, 'properties');
    const access = await this.crmAccess.forSchema(schema);
    const records = await findRecords(
      this.transactions.manager,
      schema,
      this.context.requireAccountId(),
      ids,
      { where: access.where('read') },
    );
    const byId = new Map(records.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const record = byId.get(id);
      return record ? [this.presenter.record(record, names, access)] : [];
    });
  }

  async create(objectType: string, properties: Record<string, unknown>): Promise<RecordDto> {
    const [created] = this.present(
      await this.createMany(objectType, [properties], 'api', () => 'properties'),
    );
    return created;
  }

  async batchCreate(objectType: string, inputs: Record<string, unknown>[]): Promise<RecordDto[]> {
    return this.present(
      await this.createMany(objectType, inputs, 'batch', (index) => `inputs[${index}].properties`),
    );
  }

  /**
   * Creates records all-or-nothing; `fieldOf(i)` names item i in errors. Returns them as written
   * (values in clear, for the caller only): a response shows them through {@link present}.
   */
  async createMany(
    objectType: string,
    inputs: Record<string, unknown>[],
    source: ChangeSource,
    fieldOf: (index: number) => string,
  ): Promise<WrittenRecords> {
    const actor = this.context.requireActor();
    return this.withUniqueConflicts(() =>
      this.transactions.run(async (manager) => {
        const schema = await this.properties.schema(objectType, manager);
        const access = await this.crmAccess.forSchema(schema);
        const now = this.clock.now().toISOString();
        const records: StoredRecord[] = [];
        for (const [index, input] of inputs.entries()) {
          try {
            const values = this.validate(schema, input, 'create');
            access.assertEditable(Object.keys(values));
            const record: StoredRecord = {
              id: newId(),
              accountId: actor.accountId,
              ownerId: null,
              businessUnitId: null,
              createdAt: now,
              updatedAt: now,
              archivedAt: null,
              values: {},
              sealed: {},
            };
            const ownerId =
              'owner_id' in values
                ? (values.owner_id as string | null)
                : isMemberInPerson(actor)
                  ? actor.userId
                  : null;
            delete values.owner_id;
            await this.assignOwner(manager, record, ownerId);
            record.values = this.withComputed(schema, values);
            if (!access.can('create', record)) {
              throw forbidden(schema, 'create', 'this');
            }
            records.push(record);
          } catch (error) {
            throw inItem(error, fieldOf(index));
          }
        }
        await this.reserveUniqueValues(
          manager,
          schema,
          records.map((record) => ({ record, before: {} })),
          fieldOf,
        );
        await insertRecords(manager, schema, records, access.sensitive);
        await this.writeHistory(
          manager,
          schema,
          records.map((record) => ({ record, before: {} })),
          source,
          access.sensitive,
        );
        const digests = await writtenDigests(
          manager,
          access.sensitive,
          actor.accountId,
          new Map(records.map((record) => [record.id, Object.keys(record.values)])),
        );
        for (const record of records) {
          const sealedDigests = digests.get(record.id);
          await this.audit.record({
            action: 'record.created',
            targetType: schema.objectType.name,
            targetId: record.id,
            metadata: {
              properties: Object.keys(record.values)
                .filter((k) => record.values[k] !== null)
                .sort(),
              ...(sealedDigests ? { sealedDigests } : {}),
            },
          });
        }
        return { records, access };
      }),
    );
  }

  async update(
    objectType: string,
    id: string,
    properties: Record<string, unknown>,
  ): Promise<RecordDto> {
    const [updated] = this.present(
      await this.updateMany(objectType, [{ id, properties }], 'api', () => 'properties'),
    );
    return updated;
  }

  async batchUpdate(
    objectType: string,
    inputs: { id: string; properties: Record<string, unknown> }[],
  ): Promise<RecordDto[]> {
    const ids = inputs.map((i) => i.id);
    const duplicate = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (duplicate >= 0) {
      throw CustosError.invalidField(
        'crm.duplicate_id',
        `inputs[${duplicate}].id`,
        'appears twice in this batch',
      );
    }
    return this.present(
      await this.updateMany(objectType, inputs, 'batch', (index) => `inputs[${index}].properties`),
    );
  }

  /**
   * Updates records all-or-nothing; rows are locked, so concurrent updates never lose a change.
   * A record whose values do not change is returned as it is: not written, audited or historied.
   * Returns the records as written (values in clear, for the caller only; see {@link present}).
   */
  async updateMany(
    objectType: string,
    inputs: { id: string; properties: Record<string, unknown> }[],
    source: ChangeSource,
    fieldOf: (index: number) => string,
  ): Promise<WrittenRecords> {
    const accountId = this.context.requireAccountId();
    return this.withUniqueConflicts(() =>
      this.transactions.run(async (manager) => {
        const schema = await this.properties.schema(objectType, manager);
        const access = await this.crmAccess.forSchema(schema);
        const ids = inputs.map((i) => i.id);
        const found = new Map(
          (
            await findRecords(manager, schema, accountId, ids, {
              lock: true,
              where: access.where('update'),
            })
          ).map((r) => [r.id, r]),
        );
        // Records the actor may read but not update are refused with 403; others do not exist for them (404).
        const readable = new Set(
          found.size === ids.length
            ? []
            : (
                await findRecords(manager, schema, accountId, ids, { where: access.where('read') })
              ).map((r) => r.id),
        );
        const now = this.clock.now().toISOString();
        const changes: { record: StoredRecord; before: Record<string, PropertyValue> }[] = [];
        const results: StoredRecord[] = [];
        for (const [index, input] of inputs.entries()) {
          const record = found.get(input.id);
          if (!record && readable.has(input.id)) {
            throw forbidden(schema, 'update', inputs.length === 1 ? 'this' : `inputs[${index}]`);
          }
          if (!record) {
            throw inputs.length === 1
              ? recordNotFound(schema)
              : CustosError.invalidField(
                  'crm.record_not_found',
                  `inputs[${index}].id`,
                  `no such ${schema.objectType.singular}`,
                );
          }
          try {
            const values = this.validate(schema, input.properties, 'update');
            access.assertEditable(Object.keys(values));
            // The sensitive values being replaced are opened (never shown) to tell changes and history.
            openInto(record, Object.keys(values), access.sensitive);
            const before = { ...record.values, owner_id: record.ownerId };
            if ('owner_id' in values && values.owner_id !== record.ownerId) {
              if (!access.can('assign', record)) {
                throw forbidden(
                  schema,
                  'assign',
                  inputs.length === 1 ? 'this' : `inputs[${index}]`,
                );
              }
              await this.assignOwner(manager, record, values.owner_id as string | null);
              delete values.owner_id;
            }
            record.values = this.withComputed(schema, { ...record.values, ...values });
            results.push(record);
            if (changedNames(before, { ...record.values, owner_id: record.ownerId }).length > 0) {
              record.updatedAt = now;
              changes.push({ record, before });
            }
          } catch (error) {
            throw inItem(error, fieldOf(index));
          }
        }
        await this.reserveUniqueValues(manager, schema, changes, fieldOf);
        for (const { record } of changes) {
          await updateRecord(manager, schema, record, access.sensitive);
        }
        await this.writeHistory(manager, schema, changes, source, access.sensitive);
        await holdAttachments(manager, schema, changes);
        const changedByRecord = new Map(
          changes.map(({ record, before }) => [
            record.id,
            changedNames(before, { ...record.values, owner_id: record.ownerId }),
          ]),
        );
        const digests = await writtenDigests(manager, access.sensitive, accountId, changedByRecord);
        for (const { record } of changes) {
          const sealedDigests = digests.get(record.id);
          await this.audit.record({
            action: 'record.updated',
            targetType: schema.objectType.name,
            targetId: record.id,
            metadata: {
              changed: changedByRecord.get(record.id)!,
              ...(sealedDigests ? { sealedDigests } : {}),
            },
          });
        }
        return { records: results, access };
      }),
    );
  }

  /** Archives a record (restorable for {@link ARCHIVE_RETENTION_DAYS} days) or, with `purge`, deletes it for good. */
  async remove(objectType: string, id: string, purge: boolean): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const schema = await this.properties.schema(objectType, manager);
      const access = await this.crmAccess.forSchema(schema);
      const where = access.where('delete');
      const [record] = [
        ...(await findRecords(manager, schema, accountId, [id], { lock: true, where })),
        ...(purge
          ? await findRecords(manager, schema, accountId, [id], {
              lock: true,
              archived: true,
              where,
            })
          : []),
      ];
      if (!record) {
        // Only the records this request could act on: archiving an archived record stays a 404.
        await this.refuseUnlessInvisible(
          manager,
          schema,
          access,
          id,
          'delete',
          purge ? [false, true] : [false],
        );
        throw recordNotFound(schema);
      }
      if (purge) {
        await purgeRecords(manager, schema.objectType.name, schema.objectType.table, accountId, [
          id,
        ]);
        // Names (never values) of the sensitive values destroyed with the record.
        const sensitiveProperties = Object.keys(record.sealed).sort();
        await this.audit.record({
          action: 'record.purged',
          targetType: schema.objectType.name,
          targetId: id,
          metadata: sensitiveProperties.length > 0 ? { sensitiveProperties } : {},
        });
        return;
      }
      record.archivedAt = this.clock.now().toISOString();
      await updateRecord(manager, schema, record, access.sensitive);
      await this.audit.record({
        action: 'record.archived',
        targetType: schema.objectType.name,
        targetId: id,
        metadata: {},
      });
    });
  }

  async restore(objectType: string, id: string): Promise<RecordDto> {
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      const schema = await this.properties.schema(objectType, manager);
      const access = await this.crmAccess.forSchema(schema);
      const [record] = await findRecords(manager, schema, accountId, [id], {
        lock: true,
        archived: true,
        where: access.where('delete'),
      });
      if (!record) {
        // An archived record one may read but not delete (restoring needs delete) is a 403.
        await this.refuseUnlessInvisible(manager, schema, access, id, 'restore', [true]);
        throw new CustosError(
          'not_found',
          'crm.record_not_found',
          `No archived ${schema.objectType.singular} has this id.`,
        );
      }
      record.archivedAt = null;
      await updateRecord(manager, schema, record, access.sensitive);
      await this.audit.record({
        action: 'record.restored',
        targetType: schema.objectType.name,
        targetId: id,
        metadata: {},
      });
      return this.presenter.record(record, [...schema.byName.keys()], access);
    });
  }

  /**
   * Shows the highly sensitive values of one record to someone who may read them, and with
   * `history` their past values too; audited as a reveal (property names, never values).
   */
  async reveal(
    objectType: string,
    id: string,
    requested?: string[],
    withHistory = false,
  ): Promise<RevealedValuesDto> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    const sensitive = access.sensitive;
    const masked = sensitive ? [...sensitive.names].filter((name) => sensitive.masked(name)) : [];
    const names = requested ?? masked;
    names.forEach((name, index) => {
      if (!masked.includes(name)) {
        throw CustosError.invalidField(
          'crm.not_highly_sensitive',
          `properties[${index}]`,
          `"${name}" is not a highly sensitive property of ${schema.objectType.name}`,
        );
      }
    });
    const [record] = await findRecords(
      this.transactions.manager,
      schema,
      this.context.requireAccountId(),
      [id],
      { where: access.where('read') },
    );
    if (!record) {
      throw recordNotFound(schema);
    }
    const properties: Record<string, PropertyValue> = {};
    const redacted: string[] = [];
    for (const name of names) {
      const value = access.canView(name) ? openValue(record, name, sensitive!) : undefined;
      if (value === undefined) {
        redacted.push(name);
      } else {
        properties[name] = value;
      }
    }
    const readable = names.filter((name) => access.canView(name));
    const history =
      withHistory && readable.length > 0
        ? (
            await this.transactions.manager
              .createQueryBuilder(PropertyHistory, 'h')
              .where('h.accountId = :accountId AND h.recordId = :id', {
                accountId: record.accountId,
                id,
              })
              .andWhere('h.propertyName IN (:...readable)', { readable })
              .orderBy('h.id', 'ASC')
              .getMany()
          ).map((h) => this.presenter.historyEntry(h, sensitive, true))
        : [];
    const revealed = [
      ...new Set([
        ...Object.keys(properties),
        ...history
          .filter((h) => (h.oldValue ?? null) !== null || (h.newValue ?? null) !== null)
          .map((h) => h.property),
      ]),
    ].sort();
    if (revealed.length > 0) {
      await this.audit.record({
        action: 'sensitive_data.revealed',
        targetType: schema.objectType.name,
        targetId: id,
        metadata: { properties: revealed, ...(withHistory ? { history: true } : {}) },
      });
    }
    return { id, properties, redacted, ...(withHistory ? { history } : {}) };
  }

  async history(
    objectType: string,
    id: string,
    query: { property?: string; limit?: number; after?: string },
  ): Promise<Page<HistoryEntryDto>> {
    const schema = await this.properties.schema(objectType);
    const accountId = this.context.requireAccountId();
    const manager = this.transactions.manager;
    const access = await this.crmAccess.forSchema(schema);
    const where = access.where('read');
    const exists =
      (await findRecords(manager, schema, accountId, [id], { where })).length > 0 ||
      (await findRecords(manager, schema, accountId, [id], { archived: true, where })).length > 0;
    if (!exists) {
      throw recordNotFound(schema);
    }
    if (query.property !== undefined && !schema.byName.has(query.property)) {
      throw CustosError.invalidField(
        'crm.unknown_property',
        'property',
        `is not a property of ${schema.objectType.name}`,
      );
    }
    const builder = manager
      .createQueryBuilder(PropertyHistory, 'h')
      .where('h.accountId = :accountId AND h.recordId = :id', { accountId, id });
    if (query.property !== undefined) {
      access.assertReadable(query.property, 'property');
      builder.andWhere('h.propertyName = :property', { property: query.property });
    }
    // The history of a property one may not read is not shown either.
    const hidden = [...schema.byName.keys()].filter((name) => !access.canView(name));
    if (hidden.length > 0) {
      builder.andWhere('h.propertyName NOT IN (:...hidden)', { hidden });
    }
    const page = await keysetPage(builder, 'h.id', (h) => h.id, query);
    return mapPage(page, (h) => this.presenter.historyEntry(h, access.sensitive, false));
  }

  /**
   * Validates a write: every name must be a writable property, every value of its type. On
   * create, required properties must be present. Returns normalised values.
   */
  private validate(
    schema: PropertySchema,
    input: Record<string, unknown>,
    mode: 'create' | 'update',
  ): Record<string, PropertyValue> {
    const values: Record<string, PropertyValue> = {};
    for (const [name, raw] of Object.entries(input)) {
      const definition = schema.byName.get(name);
      if (!definition) {
        throw CustosError.invalidField(
          'crm.unknown_property',
          name,
          `is not a property of ${schema.objectType.name}`,
        );
      }
      if (schema.readOnly.has(name)) {
        throw CustosError.invalidField(
          'crm.read_only_property',
          name,
          'is read-only: the system sets it',
        );
      }
      if (name === 'owner_id') {
        if (
          raw !== null &&
          raw !== '' &&
          (typeof raw !== 'string' || !/^[0-9a-f-]{36}$/.test(raw))
        ) {
          throw CustosError.invalidField(
            'crm.invalid_value',
            name,
            'expected the id of a user of this account',
          );
        }
        values[name] = raw === '' ? null : raw;
        continue;
      }
      values[name] = normalizeValue(definition, raw, name);
    }
    if (mode === 'create') {
      for (const definition of schema.byName.values()) {
        if (definition.required && (values[definition.name] ?? null) === null) {
          throw CustosError.invalidField('crm.required_property', definition.name, 'is required');
        }
      }
    } else {
      for (const [name, value] of Object.entries(values)) {
        if (value === null && schema.byName.get(name)?.required) {
          throw CustosError.invalidField(
            'crm.required_property',
            name,
            'is required and cannot be cleared',
          );
        }
      }
    }
    return values;
  }

  /** Recomputes calculation and score properties from the other values. */
  private withComputed(
    schema: PropertySchema,
    values: Record<string, PropertyValue>,
  ): Record<string, PropertyValue> {
    const result = { ...values };
    for (const definition of schema.byName.values()) {
      if (definition.type === 'calculation' && definition.formula) {
        const parsed = parseFormula(definition.formula);
        result[definition.name] =
          'formula' in parsed ? evaluateFormula(parsed.formula, result) : null;
      }
    }
    for (const definition of schema.byName.values()) {
      if (definition.type === 'score') {
        result[definition.name] = evaluateScore(definition.scoreRules, result);
      }
    }
    return result;
  }

  /** Sets the owner (an active user of the account) and, through them, the record's business unit. */
  private async assignOwner(
    manager: EntityManager,
    record: StoredRecord,
    ownerId: string | null,
  ): Promise<void> {
    if (ownerId === null) {
      record.ownerId = null;
      record.businessUnitId = null;
      return;
    }
    const membership = await manager.findOneBy(Membership, {
      accountId: record.accountId,
      userId: ownerId,
      status: 'active',
    });
    if (!membership) {
      throw CustosError.invalidField(
        'crm.invalid_owner',
        'owner_id',
        'is not an active user of this account',
      );
    }
    record.ownerId = ownerId;
    record.businessUnitId = membership.businessUnitId;
  }

  /**
   * Reserves the values of unique properties (their rows' unique index makes this hold under
   * concurrent writes) and releases the values records no longer hold.
   */
  private async reserveUniqueValues(
    manager: EntityManager,
    schema: PropertySchema,
    changes: { record: StoredRecord; before: Record<string, PropertyValue> }[],
    fieldOf: (index: number) => string,
  ): Promise<void> {
    const unique = [...schema.byName.values()].filter((d) => d.unique);
    if (unique.length === 0) {
      return;
    }
    const reserve: UniqueValue[] = [];
    const release: { recordId: string; propertyName: string }[] = [];
    const seen = new Map<string, number>();
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
            throw uniqueConflict(`${fieldOf(index)}.${definition.name}`, definition.name);
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
    // Name the item whose value is taken; the unique index still decides under concurrency.
    const taken = await manager.find(UniqueValue, {
      where: {
        accountId: reserve[0].accountId,
        objectType: schema.objectType.name,
        valueKey: In(reserve.map((r) => r.valueKey)),
      },
    });
    for (const row of taken) {
      const clash = reserve.find(
        (r) =>
          r.propertyName === row.propertyName &&
          r.valueKey === row.valueKey &&
          r.recordId !== row.recordId,
      );
      if (clash) {
        const index = seen.get(`${clash.propertyName}\u0000${clash.valueKey}`)!;
        throw uniqueConflict(`${fieldOf(index)}.${clash.propertyName}`, clash.propertyName);
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
      const index = seen.get(`${lost.propertyName}\u0000${lost.valueKey}`)!;
      throw uniqueConflict(`${fieldOf(index)}.${lost.propertyName}`, lost.propertyName);
    }
  }

  private async writeHistory(
    manager: EntityManager,
    schema: PropertySchema,
    changes: { record: StoredRecord; before: Record<string, PropertyValue> }[],
    source: ChangeSource,
    sensitive: SensitiveFields | null,
  ): Promise<void> {
    const actor = this.context.requireActor();
    // History keeps sensitive values sealed like the records, each bound to its record, property and entry.
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
    for (let start = 0; start < rows.length; start += 500) {
      await manager.insert(PropertyHistory, rows.slice(start, start + 500));
    }
  }

  private async withUniqueConflicts<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new CustosError(
          'conflict',
          'crm.unique_value_taken',
          'A unique property value is already used by another record (a concurrent write took it first).',
        );
      }
      throw error;
    }
  }

  /** A record the actor may read but not `action` is a 403; one they may not read stays a 404. */
  private async refuseUnlessInvisible(
    manager: EntityManager,
    schema: PropertySchema,
    access: RecordAccess,
    id: string,
    action: string,
    archived: boolean[],
  ): Promise<void> {
    const accountId = this.context.requireAccountId();
    const where = access.where('read');
    for (const state of archived) {
      if (
        (await findRecords(manager, schema, accountId, [id], { archived: state, where })).length > 0
      ) {
        throw forbidden(schema, action, 'this');
      }
    }
  }

  /** Resolves `?properties=`; unknown names are a 422 naming the parameter. */
  selected(schema: PropertySchema, names: string[] | undefined, field: string): string[] {
    if (!names || names.length === 0) {
      return [...schema.byName.keys()];
    }
    const unknown = names.find((name) => !schema.byName.has(name));
    if (unknown !== undefined) {
      throw CustosError.invalidField(
        'crm.unknown_property',
        field,
        `"${unknown}" is not a property of ${schema.objectType.name}`,
      );
    }
    return names;
  }

  /**
   * Written records as their writer may see them, through the read presenter: field permissions,
   * `redacted`, `masked` and the `sensitive_data.viewed` event of what the response shows.
   */
  private present({ records, access }: WrittenRecords): RecordDto[] {
    return records.map((record) =>
      this.presenter.record(record, [...access.schema.byName.keys()], access),
    );
  }
}

/** Opens the named sensitive values of a record into its `values` (a value that does not open counts as empty). */
function openInto(
  record: StoredRecord,
  names: readonly string[],
  sensitive: SensitiveFields | null,
): void {
  for (const name of names) {
    if (sensitive?.has(name) && !(name in record.values)) {
      record.values[name] = openValue(record, name, sensitive) ?? null;
    }
  }
}

/** 403 for a record the actor may see but not change; the action is named, the record is not. */
function forbidden(schema: PropertySchema, action: string, which: string): CustosError {
  return new CustosError(
    'forbidden',
    'crm.record_forbidden',
    `You may not ${action} ${which === 'this' ? `this ${schema.objectType.singular}` : `the ${schema.objectType.singular} at ${which}`}.`,
    {
      extensions: { action },
      ...(which === 'this'
        ? {}
        : {
            errors: [
              { field: which, message: `you may not ${action} this ${schema.objectType.singular}` },
            ],
          }),
    },
  );
}

function changedNames(
  before: Record<string, PropertyValue>,
  after: Record<string, PropertyValue>,
): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => (before[name] ?? null) !== (after[name] ?? null)).sort();
}

function uniqueConflict(field: string, property: string): CustosError {
  return new CustosError(
    'conflict',
    'crm.unique_value_taken',
    `The value of "${property}" is already used by another record.`,
    {
      errors: [{ field, message: 'is already used by another record' }],
      extensions: { property },
    },
  );
}

/**
 * Deletes records for good with their unique values, associations, history and attachments (the
 * attachments' stored files follow with `AttachmentSweepJob`).
 */
export async function purgeRecords(
  manager: EntityManager,
  objectType: string,
  table: string,
  accountId: string,
  ids: string[],
): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await manager.delete(UniqueValue, { accountId, objectType, recordId: In(ids) });
  await manager.delete(BlindIndexEntry, { accountId, objectType, recordId: In(ids) });
  await manager.delete(Association, { accountId, fromType: objectType, fromId: In(ids) });
  await manager.delete(Association, { accountId, toType: objectType, toId: In(ids) });
  await manager.delete(PropertyHistory, { accountId, objectType, recordId: In(ids) });
  await manager.delete(CrmAttachment, { accountId, objectType, recordId: In(ids) });
  await manager
    .createQueryBuilder()
    .delete()
    .from(table)
    .where('account_id = :accountId', { accountId })
    .andWhere('id IN (:...ids)', { ids })
    .execute();
}
