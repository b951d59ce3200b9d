import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import {
  RequestContext,
  TransactionHost,
  mapPage,
  newestFirstPage,
  type Actor,
  type Page,
} from '@custos/core';
import { ExportAccess } from '../export-access';
import { DataExport, EXPORT_STATES, type ExportState } from '../export.entity';
import { viewOf, type ExportView } from '../export.view';
import { ExportErrors } from '../exports.errors';

/**
 * The export log, scoped in SQL: every export of the account for approvers (super admins and
 * holders of `approve_exports`, in person), one's own for anyone else; another's is a 404.
 */
@Injectable()
export class ExportLog {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: ExportAccess,
  ) {}

  /** The exports the actor may see, newest first; `state` filters. */
  async list(query: { limit?: number; after?: string; state?: string }): Promise<Page<ExportView>> {
    if (query.state !== undefined && !EXPORT_STATES.includes(query.state as ExportState)) {
      throw ExportErrors.invalidField('state', `must be one of ${EXPORT_STATES.join(', ')}`);
    }
    const builder = await this.visible(this.context.requireActor());
    if (query.state !== undefined) {
      builder.andWhere('e.state = :state', { state: query.state });
    }
    return mapPage(await newestFirstPage(builder, 'e.id', (e) => e.id, query), viewOf);
  }

  async get(id: string): Promise<ExportView> {
    return viewOf(await this.find(id));
  }

  /** An export the actor may see, or a 404. */
  async find(id: string): Promise<DataExport> {
    const found = await (
      await this.visible(this.context.requireActor())
    )
      .andWhere('e.id = :id', { id })
      .getOne();
    if (!found) {
      throw ExportErrors.notFound();
    }
    return found;
  }

  /** One of the actor's own exports, or a 404 (whoever else they are, a super admin too). */
  async own(id: string): Promise<DataExport> {
    const found = await this.ownedBy(this.context.requireActor())
      .andWhere('e.id = :id', { id })
      .getOne();
    if (!found) {
      throw ExportErrors.notFound();
    }
    return found;
  }

  private async visible(actor: Actor): Promise<SelectQueryBuilder<DataExport>> {
    return (await this.access.mayApprove(actor))
      ? this.transactions.manager
          .createQueryBuilder(DataExport, 'e')
          .where('e.accountId = :accountId', { accountId: actor.accountId })
      : this.ownedBy(actor);
  }

  private ownedBy(actor: Actor): SelectQueryBuilder<DataExport> {
    return this.transactions.manager
      .createQueryBuilder(DataExport, 'e')
      .where('e.accountId = :accountId', { accountId: actor.accountId })
      .andWhere('e.requester.kind = :kind AND e.requester.id = :requesterId', {
        kind: actor.kind,
        requesterId: actor.id,
      });
  }
}
