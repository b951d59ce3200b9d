import { Injectable } from '@nestjs/common';
import { ConsentGate, type ConsentChannel } from '@custos/consent';
import { RequestContext, keysetPage, type Page } from '@custos/core';
import { PropertySchemaService } from '../properties';
import { CrmAccessService, RecordQuery, type ScopedRecords } from '../records';

/** One page of the audience: contact ids, and how many contacts it holds in all. */
export type AudiencePage = Page<{ id: string }> & { total: number };

/** The column of a contact holding the address of a channel; none for post. */
const ADDRESS_COLUMNS: Record<ConsentChannel, string | undefined> = {
  email: 'email',
  sms: 'phone',
  phone: 'phone',
  post: undefined,
};

/**
 * The marketing audience (issue 17 item 6): the contacts the actor may read (the one scoped record
 * query, record rules in SQL) that may be contacted for a purpose on a channel now (the consent
 * lib's condition, in the same SQL), leaving out contacts whose processing is restricted (GDPR
 * Art. 18). Mailings and "for marketing" exports start from here.
 */
@Injectable()
export class CrmMarketingAudience {
  constructor(
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly gate: ConsentGate,
    private readonly context: RequestContext,
  ) {}

  /** How many contacts the audience holds: one `COUNT(*)` over the scoped query and its condition. */
  async count(purposeId: string, channel: ConsentChannel): Promise<number> {
    return this.query.count(await this.scope(purposeId, channel));
  }

  async page(
    purposeId: string,
    channel: ConsentChannel,
    page: { limit?: number; after?: string },
  ): Promise<AudiencePage> {
    const scope = await this.scope(purposeId, channel);
    const total = await this.query.count(scope);
    const ids = await keysetPage(
      this.query.builder(scope).select('r.id', 'id'),
      'r.id',
      (row: { id: string }) => row.id,
      page,
      (b) => b.getRawMany<{ id: string }>(),
    );
    return { ...ids, total };
  }

  /** The contacts the actor may read (record rules) that the consent condition admits, in SQL. */
  private async scope(purposeId: string, channel: ConsentChannel): Promise<ScopedRecords> {
    const schema = await this.properties.schema('contacts');
    const access = await this.crmAccess.forSchema(schema);
    const condition = await this.gate.audience(
      this.context.requireAccountId(),
      purposeId,
      channel,
      {
        table: schema.objectType.table,
        alias: 'r',
        id: 'id',
        accountId: 'account_id',
        address: ADDRESS_COLUMNS[channel],
      },
    );
    return this.query.scope(schema, access, { forMarketing: true }).and(condition);
  }
}
