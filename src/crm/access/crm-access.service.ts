import { Injectable } from '@nestjs/common';
import { AccessService, type ActorAccess } from '@custos/access';
import { RequestContext, TransactionHost } from '@custos/core';
import type { PropertySchema } from '../properties/property.service';
import { dialectOf } from '../sql-dialect';
import { RecordAccess } from './record-access';

/** The acting person's {@link RecordAccess} to an object type. */
@Injectable()
export class CrmAccessService {
  constructor(
    private readonly access: AccessService,
    private readonly context: RequestContext,
    private readonly transactions: TransactionHost,
  ) {}

  /** `access`: the actor's access if already looked up (see {@link actorAccess}). */
  async forSchema(schema: PropertySchema, access?: ActorAccess): Promise<RecordAccess> {
    return new RecordAccess(
      access ?? (await this.actorAccess()),
      schema,
      dialectOf(this.transactions.manager.connection.options.type),
    );
  }

  /** The acting person's access, independent of any schema: can be looked up alongside one. */
  actorAccess(): Promise<ActorAccess> {
    return this.access.accessFor(this.context.requireActor());
  }
}
