import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { CustosError, RequestContext, TransactionHost, newId } from '@custos/core';
import { objectTypeOf, type ObjectTypeName } from '../kernel/object-types';
import { PropertySchemaService } from '../properties/property-schemas.service';
import { CrmAccessService } from '../records/crm-access.service';
import { findRecords } from '../records/record-store';
import { Association } from './association.entity';

/** Which object types may be associated (both directions). */
const ALLOWED: ReadonlySet<string> = new Set([
  'contacts:companies',
  'deals:contacts',
  'deals:companies',
]);

function allowed(a: ObjectTypeName, b: ObjectTypeName): boolean {
  return ALLOWED.has(`${a}:${b}`) || ALLOWED.has(`${b}:${a}`);
}

/** Associations between records: stored once, readable from either side. */
@Injectable()
export class AssociationService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly audit: AuditService,
    private readonly crmAccess: CrmAccessService,
  ) {}

  /** Ids of the active `toType` records associated with a record, in id order. */
  async list(fromType: string, fromId: string, toType: string): Promise<string[]> {
    const { from, to } = await this.pair(fromType, fromId, toType);
    const accountId = this.context.requireAccountId();
    const manager = this.transactions.manager;
    const rows = await manager
      .createQueryBuilder(Association, 'a')
      .where('a.accountId = :accountId', { accountId })
      .andWhere(
        '((a.fromType = :from AND a.fromId = :fromId AND a.toType = :to) OR (a.toType = :from AND a.toId = :fromId AND a.fromType = :to))',
        { from, fromId, to },
      )
      .getMany();
    const ids = rows.map((a) => (a.fromType === from && a.fromId === fromId ? a.toId : a.fromId));
    // Archived records keep their associations (restored with them) but are not listed.
    const toSchema = await this.properties.schema(to, manager);
    const readable = (await this.crmAccess.forSchema(toSchema)).where('read');
    const active = await findRecords(manager, toSchema, accountId, ids, { where: readable });
    return active.map((r) => r.id).sort();
  }

  async associate(fromType: string, fromId: string, toType: string, toId: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const { from, to } = await this.pair(fromType, fromId, toType, toId);
      // One row per pair, in a canonical direction, so a link made from either side is the same link.
      const [a, b] =
        from < to
          ? [
              { type: from, id: fromId },
              { type: to, id: toId },
            ]
          : [
              { type: to, id: toId },
              { type: from, id: fromId },
            ];
      const key = { accountId, fromType: a.type, fromId: a.id, toType: b.type, toId: b.id };
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
      const [a, b] =
        from < to
          ? [
              { type: from, id: fromId },
              { type: to, id: toId },
            ]
          : [
              { type: to, id: toId },
              { type: from, id: fromId },
            ];
      const result = await manager.delete(Association, {
        accountId,
        fromType: a.type,
        fromId: a.id,
        toType: b.type,
        toId: b.id,
      });
      if (!result.affected) {
        throw new CustosError(
          'not_found',
          'crm.association_not_found',
          'These records are not associated.',
        );
      }
      await this.audit.record({
        action: 'record.dissociated',
        targetType: from,
        targetId: fromId,
        metadata: { toType: to, toId },
      });
    });
  }

  /** Checks both object types, that they may be associated, and that the records exist. */
  private async pair(
    fromType: string,
    fromId: string,
    toType: string,
    toId?: string,
  ): Promise<{ from: ObjectTypeName; to: ObjectTypeName }> {
    const from = objectTypeOf(fromType).name;
    const to = objectTypeOf(toType).name;
    if (!allowed(from, to)) {
      throw CustosError.invalidField(
        'crm.association_not_allowed',
        'toObjectType',
        `${from} cannot be associated with ${to}`,
      );
    }
    const accountId = this.context.requireAccountId();
    const manager = this.transactions.manager;
    // Reading links needs read access to the record; changing them needs update access to it.
    const fromSchema = await this.properties.schema(from, manager);
    const fromAccess = await this.crmAccess.forSchema(fromSchema);
    const [fromRecord] = await findRecords(manager, fromSchema, accountId, [fromId], {
      where: fromAccess.where('read'),
    });
    if (fromRecord && toId !== undefined && !fromAccess.can('update', fromRecord)) {
      throw new CustosError(
        'forbidden',
        'crm.record_forbidden',
        `You may not change the associations of this ${objectTypeOf(from).singular}.`,
      );
    }
    if (!fromRecord) {
      throw new CustosError(
        'not_found',
        'crm.record_not_found',
        `The ${objectTypeOf(from).singular} was not found.`,
      );
    }
    if (toId !== undefined) {
      const toSchema = await this.properties.schema(to, manager);
      const toAccess = await this.crmAccess.forSchema(toSchema);
      const [toRecord] = await findRecords(manager, toSchema, accountId, [toId], {
        where: toAccess.where('read'),
      });
      if (!toRecord) {
        throw new CustosError(
          'not_found',
          'crm.record_not_found',
          `The ${objectTypeOf(to).singular} to associate was not found.`,
        );
      }
    }
    return { from, to };
  }
}
