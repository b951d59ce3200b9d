import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, actsThroughMembership, newId } from '@custos/core';
import { Membership } from '@custos/identity';
import { PropertyHistoryService, type ChangeSource } from '../history';
import { changedNames, PropertySchemaService } from '../properties';
import type { PropertySchema } from '../kernel';
import { ERASED, writtenDigests, type SensitiveFields, type Shown } from '../sensitive';
import { CrmAccessService } from './crm-access.service';
import type { RecordAccess } from './record-access';
import { RecordQuery } from './record-query';
import { assertChangeable } from './record-restriction';
import {
  insertRecords,
  prepareSealing,
  updateRecord,
  type RecordChange,
  type StoredRecord,
} from './record-store';
import { validateValues, withComputed } from './record-values';
import { RecordWriteHooks } from './record-write.port';
import type { RecordDto } from './record.dto';
import { RecordPresenter, openValue } from './record.presenter';
import { RecordErrors, inItem } from './records.errors';
import { UniqueValues } from './unique-values';

/** Records as a write left them (values in clear in memory) and the access they were written with. */
export interface WrittenRecords {
  records: StoredRecord[];
  access: RecordAccess;
}

/**
 * Creates and updates CRM records: validated values, owner, computed properties, unique values,
 * property history and audit events, all in one transaction.
 */
@Injectable()
export class RecordWriter {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly presenter: RecordPresenter,
    private readonly uniqueValues: UniqueValues,
    private readonly history: PropertyHistoryService,
    private readonly writeHooks: RecordWriteHooks,
  ) {}

  async create(objectType: string, properties: Record<string, unknown>): Promise<Shown<RecordDto>> {
    return single(
      this.present(await this.createMany(objectType, [properties], 'api', () => 'properties')),
    );
  }

  async batchCreate(
    objectType: string,
    inputs: Record<string, unknown>[],
  ): Promise<Shown<RecordDto[]>> {
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
    return this.uniqueValues.guard(() =>
      this.transactions.run(async (manager) => {
        const schema = await this.properties.schema(objectType, manager);
        const access = await this.crmAccess.forSchema(schema);
        const now = this.clock.now().toISOString();
        const records: StoredRecord[] = [];
        for (const [index, input] of inputs.entries()) {
          try {
            const values = validateValues(schema, input, 'create');
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
                : actsThroughMembership(actor)
                  ? actor.userId
                  : null;
            delete values.owner_id;
            await assignOwner(manager, record, ownerId);
            record.values = withComputed(schema, values);
            if (!access.can('create', record)) {
              throw RecordErrors.forbidden(schema, 'create');
            }
            records.push(record);
          } catch (error) {
            throw inItem(error, fieldOf(index));
          }
        }
        const changes = records.map((record) => ({ record, before: {} }));
        const byId = new Map(records.map((record) => [record.id, record]));
        await this.uniqueValues.reserve(manager, schema, changes, fieldOf);
        await insertRecords(manager, schema, records, access.sensitive);
        await this.writeHooks.changed(manager, schema, changes);
        await this.history.write(manager, schema, changes, source, access.sensitive);
        await this.auditWrites(
          manager,
          schema,
          access.sensitive,
          'record.created',
          new Map(records.map((record) => [record.id, Object.keys(record.values)])),
          (recordId, names) => ({
            properties: names.filter((name) => byId.get(recordId)!.values[name] !== null).sort(),
          }),
        );
        return { records, access };
      }),
    );
  }

  async update(
    objectType: string,
    id: string,
    properties: Record<string, unknown>,
  ): Promise<Shown<RecordDto>> {
    return single(
      this.present(
        await this.updateMany(objectType, [{ id, properties }], 'api', () => 'properties'),
      ),
    );
  }

  async batchUpdate(
    objectType: string,
    inputs: { id: string; properties: Record<string, unknown> }[],
  ): Promise<Shown<RecordDto[]>> {
    const ids = inputs.map((i) => i.id);
    const duplicate = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (duplicate >= 0) {
      throw RecordErrors.duplicateId(`inputs[${duplicate}].id`);
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
    return this.uniqueValues.guard(() =>
      this.transactions.run(async (manager) => {
        const schema = await this.properties.schema(objectType, manager);
        const access = await this.crmAccess.forSchema(schema);
        const found = await this.query.requireAll(
          schema,
          access,
          inputs.map((i) => i.id),
          'update',
          { lock: true, item: (index) => `inputs[${index}]` },
        );
        await assertChangeable(
          manager,
          schema,
          this.context.requireAccountId(),
          found.map((record) => record.id),
          (index) => (inputs.length === 1 ? 'id' : `inputs[${index}].id`),
        );
        const now = this.clock.now().toISOString();
        const changes: RecordChange[] = [];
        for (const [index, input] of inputs.entries()) {
          const record = found[index];
          try {
            const values = validateValues(schema, input.properties, 'update');
            access.assertEditable(Object.keys(values));
            // The sensitive values being replaced are opened (never shown) to tell changes and history.
            openInto(record, Object.keys(values), access.sensitive);
            const before = { ...record.values, owner_id: record.ownerId };
            if ('owner_id' in values && values.owner_id !== record.ownerId) {
              if (!access.can('assign', record)) {
                throw RecordErrors.forbidden(
                  schema,
                  'assign',
                  inputs.length === 1 ? undefined : `inputs[${index}]`,
                );
              }
              await assignOwner(manager, record, values.owner_id as string | null);
              delete values.owner_id;
            }
            record.values = withComputed(schema, { ...record.values, ...values });
            if (changedNames(before, { ...record.values, owner_id: record.ownerId }).length > 0) {
              record.updatedAt = now;
              changes.push({ record, before });
            }
          } catch (error) {
            throw inItem(error, fieldOf(index));
          }
        }
        await this.uniqueValues.reserve(manager, schema, changes, fieldOf);
        await prepareSealing(
          manager,
          access.sensitive,
          changes.map(({ record }) => record),
        );
        for (const { record } of changes) {
          await updateRecord(manager, schema, record, access.sensitive);
        }
        await this.history.write(manager, schema, changes, source, access.sensitive);
        await this.writeHooks.changed(manager, schema, changes);
        await this.auditWrites(
          manager,
          schema,
          access.sensitive,
          'record.updated',
          new Map(
            changes.map(({ record, before }) => [
              record.id,
              changedNames(before, { ...record.values, owner_id: record.ownerId }),
            ]),
          ),
          (_recordId, changed) => ({ changed }),
        );
        return { records: found, access };
      }),
    );
  }

  /**
   * Written records as their writer may see them, through the read presenter: field permissions,
   * `redacted`, `masked` and the sensitive values shown.
   */
  private present({ records, access }: WrittenRecords): Shown<RecordDto[]> {
    return this.presenter.records(records, [...access.schema.byName.keys()], access);
  }

  /**
   * One audit event per written record: `metadataOf` its written property names, and the digests
   * of the sealed values written (never values).
   */
  private async auditWrites(
    manager: EntityManager,
    schema: PropertySchema,
    sensitive: SensitiveFields | null,
    action: 'record.created' | 'record.updated',
    written: ReadonlyMap<string, string[]>,
    metadataOf: (recordId: string, names: string[]) => Record<string, unknown>,
  ): Promise<void> {
    const accountId = this.context.requireAccountId();
    const digests = await writtenDigests(manager, sensitive, accountId, written);
    for (const [recordId, names] of written) {
      const sealedDigests = digests.get(recordId);
      await this.audit.record({
        action,
        targetType: schema.objectType.name,
        targetId: recordId,
        metadata: { ...metadataOf(recordId, names), ...(sealedDigests ? { sealedDigests } : {}) },
      });
    }
  }
}

function single<T>({ value, views }: Shown<T[]>): Shown<T> {
  return { value: value[0], views };
}

/** Sets the owner (an active user of the account) and, through them, the record's business unit. */
async function assignOwner(
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
    throw RecordErrors.ownerNotActive();
  }
  record.ownerId = ownerId;
  record.businessUnitId = membership.businessUnitId;
}

/**
 * Opens the named sensitive values of a record into its `values` (a value that does not open, or
 * was erased with its data subject, counts as empty).
 */
function openInto(
  record: StoredRecord,
  names: readonly string[],
  sensitive: SensitiveFields | null,
): void {
  for (const name of names) {
    if (sensitive?.has(name) && !(name in record.values)) {
      const value = openValue(record, name, sensitive);
      record.values[name] = value === ERASED ? null : (value ?? null);
    }
  }
}
