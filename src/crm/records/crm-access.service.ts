import { Injectable } from '@nestjs/common';
import { AccessService, type ActorAccess } from '@custos/access';
import { RequestContext, TransactionHost } from '@custos/core';
import { AccountCiphers } from '@custos/crypto';
import { SensitiveDataService } from '../../sensitive-data';
import { dialectOf, type PropertySchema } from '../kernel';
import { SensitiveFields, sensitiveNames } from '../sensitive';
import { RecordAccess } from './record-access';

/** The acting person's {@link RecordAccess} to an object type. */
@Injectable()
export class CrmAccessService {
  constructor(
    private readonly access: AccessService,
    private readonly context: RequestContext,
    private readonly transactions: TransactionHost,
    private readonly ciphers: AccountCiphers,
    private readonly sensitiveData: SensitiveDataService,
  ) {}

  /**
   * `access`: the actor's access if already looked up (see {@link actorAccess}). Schemas with
   * sensitive properties also load the account's keys (one more query) and edition.
   */
  async forSchema(schema: PropertySchema, access?: ActorAccess): Promise<RecordAccess> {
    const [actorAccess, sensitive] = await this.transactions.all(
      () => (access ? Promise.resolve(access) : this.actorAccess()),
      () => this.sensitiveFields(schema),
    );
    return new RecordAccess(
      actorAccess,
      schema,
      dialectOf(this.transactions.manager.connection.options.type),
      sensitive,
    );
  }

  /** The request's view of the schema's sensitive properties; `null` when it has none. */
  async sensitiveFields(schema: PropertySchema): Promise<SensitiveFields | null> {
    if (sensitiveNames(schema).length === 0) {
      return null;
    }
    const actor = this.context.requireActor();
    const [cipher, state] = await this.transactions.all(
      () => this.ciphers.forAccount(actor.accountId),
      () => this.sensitiveData.state(actor.accountId, this.transactions.manager),
    );
    return new SensitiveFields(schema, cipher, actor, state);
  }

  /** The acting person's access, independent of any schema: can be looked up alongside one. */
  actorAccess(): Promise<ActorAccess> {
    return this.access.accessFor(this.context.requireActor());
  }
}
