import { Injectable } from '@nestjs/common';
import { AccessService } from '@custos/access';
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

  async forSchema(schema: PropertySchema): Promise<RecordAccess> {
    const access = await this.access.accessFor(this.context.requireActor());
    return new RecordAccess(
      access,
      schema,
      dialectOf(this.transactions.manager.connection.options.type),
    );
  }
}
