import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import { RequestContext, TransactionHost, newId } from '@custos/core';
import { objectTypeOf, type ObjectTypeName } from '../kernel';
import { PropertySchemaService } from '../properties';
import {
  CrmAccessService,
  RecordPurgeHooks,
  RecordQuery,
  type PurgedRecords,
  type RecordPurgeHook,
} from '../records';
import { Association } from './association.entity';
import { AssociationErrors } from './associations.errors';

/** Which object types may be associated (both directions). */
const ALLOWED: ReadonlySet<string> = new Set([
  'contacts:companies',
  'deals:contacts',
  'deals:companies',
]);

function allowed(a: ObjectTypeName, b: ObjectTypeName): boolean {
  return ALLOWED.has(`${a}:${b}`) || ALLOWED.has(`${b}:${a}`);
}

/**
 * The row of a link: one per pair, in a canonical direction, so a link made from either side is
 * the same link.
 */
function linkKey(
  accountId: string,
  from: { type: ObjectTypeName; id: string },
  to: { type: ObjectTypeName; id: string },
): Pick<Association, 'accountId' | 'fromType' | 'fromId' | 'toType' | 'toId'> {
  const [a, b] = from.type < to.type ? [from, to] : [to, from];
  return { accountId, fromType: a.type, fromId: a.id, toType: b.type, toId: b.id };
}

/** Associations between records: stored once, readable from either side. */
@Injectable()
export class AssociationService implements RecordPurgeHook, OnModuleInit {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly audit: AuditService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly purgeHooks: RecordPurgeHooks,
  ) {}

  onModuleInit(): void {
    this.purgeHooks.add(this);
  }

  /** Ids of the active `toType` records associated with a record, in id order. */
  async list(fromType: string, fromId: string, toType: string): Promise<string[]> {
    const { from, to } = await this.pair(fromType, fromId, toType);
    const rows = await this.transactions.manager
      .createQueryBuilder(Association, 'a')
      .where('a.accountId = :accountId', { accountId: this.context.requireAccountId() })
      .andWhere(
        '((a.fromType = :from AND a.fromId = :fromId AND a.toType = :to) OR (a.toType = :from AND a.toId = :fromId AND a.fromType = :to))',
        { from, fromId, to },
      )
      .getMany();
    const ids = rows.map((a) => (a.fromType === from && a.fromId === fromId ? a.toId : a.fromId));
    // Archived records keep their associations (restored with them) but are not listed.
    const toSchema = await this.properties.schema(to);
    const active = await this.query.find(toSchema, await this.crmAccess.forSchema(toSchema), ids);
    return active.map((r) => r.id).sort();
  }

  async associate(fromType: string, fromId: string, toType: string, toId: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const { from, to } = await this.pair(fromType, fromId, toType, toId);
      const key = linkKey(accountId, { type: from, id: fromId }, { type: to, id: toId });
      if (await manager.existsBy(Association, key)) {
        return;
      }
      // orIgnore: a concurrent request making the same link is not an error.
      await manager
        .createQueryBuilder()
        .insert()
        .into(Association)
        .values({ id: newId(), ...key })
        .orIgnore()
        .execute();
      await this.audit.record({
        action: 'record.associated',
        targetType: from,
        targetId: fromId,
        metadata: { toType: to, toId },
      });
    });
  }

  async dissociate(fromType: string, fromId: string, toType: string, toId: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const { from, to } = await this.pair(fromType, fromId, toType, toId);
      const result = await manager.delete(
        Association,
        linkKey(accountId, { type: from, id: fromId }, { type: to, id: toId }),
      );
      if (!result.affected) {
        throw AssociationErrors.notFound();
      }
      await this.audit.record({
        action: 'record.dissociated',
        targetType: from,
        targetId: fromId,
        metadata: { toType: to, toId },
      });
    });
  }

  /** Purged records take their links, from either side, with them. */
  async purgeRecords(
    manager: EntityManager,
    { accountId, objectType, recordIds }: PurgedRecords,
  ): Promise<void> {
    await manager.delete(Association, { accountId, fromType: objectType, fromId: In(recordIds) });
    await manager.delete(Association, { accountId, toType: objectType, toId: In(recordIds) });
  }

  /**
   * Checks both object types, that they may be associated, and that the records exist for the
   * actor. Reading links needs read access to the record; changing them (`toId` given) needs
   * update access to it and read access to the other.
   */
  private async pair(
    fromType: string,
    fromId: string,
    toType: string,
    toId?: string,
  ): Promise<{ from: ObjectTypeName; to: ObjectTypeName }> {
    const from = objectTypeOf(fromType).name;
    const to = objectTypeOf(toType).name;
    if (!allowed(from, to)) {
      throw AssociationErrors.notAllowed(from, to);
    }
    const fromSchema = await this.properties.schema(from);
    await this.query.require(
      fromSchema,
      await this.crmAccess.forSchema(fromSchema),
      fromId,
      toId === undefined ? 'read' : 'update',
    );
    if (toId !== undefined) {
      const toSchema = await this.properties.schema(to);
      await this.query.require(toSchema, await this.crmAccess.forSchema(toSchema), toId, 'read');
    }
    return { from, to };
  }
}
