import { Injectable } from '@nestjs/common';
import type { ConsentChannel, ConsentContacts } from '@custos/consent';
import { TransactionHost } from '@custos/core';
import { PropertySchemaService } from '../properties';
import { CrmAccessService, RecordQuery } from '../records';

/**
 * The CRM's contacts as `@custos/consent` sees them (CONSENT_CONTACTS): readability through the
 * one scoped record query (invisible → 404), and the address a confirmation mail goes to.
 */
@Injectable()
export class CrmConsentContacts implements ConsentContacts {
  constructor(
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly query: RecordQuery,
    private readonly transactions: TransactionHost,
  ) {}

  async requireReadable(
    contactId: string,
    { includeArchived = false }: { includeArchived?: boolean } = {},
  ): Promise<void> {
    const schema = await this.properties.schema('contacts');
    const access = await this.crmAccess.forSchema(schema);
    await this.query.require(schema, access, contactId, 'read', {
      archived: includeArchived ? 'any' : false,
    });
  }

  async addressOf(
    accountId: string,
    contactId: string,
    channel: ConsentChannel,
  ): Promise<string | null> {
    const column = channel === 'email' ? 'email' : channel === 'post' ? null : 'phone';
    if (!column) {
      return null;
    }
    const [row] = await this.transactions.queryPrepared<{ value: string | null }>(
      `crm_consent_contact_${column}`,
      `SELECT ${column} AS value FROM crm_contact WHERE account_id = $1 AND id = $2 AND archived_at IS NULL`,
      [accountId, contactId],
    );
    return row?.value ?? null;
  }
}
