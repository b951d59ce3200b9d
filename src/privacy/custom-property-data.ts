import { RequestContext, TransactionHost } from '@custos/core';
import {
  isDataCategory,
  type PersonalDataField,
  type PersonalDataFieldProvider,
} from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { CustomPropertyDefinition, PropertySchemaService } from '../crm/properties';

/**
 * Custom contact properties get their category when they are defined (`dataCategory`): each is
 * a field of `crm.contact`, a key of its `custom` column; sealed ones are found through the
 * blind index.
 */
@Injectable()
export class CustomPropertyData implements PersonalDataFieldProvider {
  readonly source = 'crm.contact';

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly schemas: PropertySchemaService,
  ) {}

  async fieldsOf(accountId: string): Promise<PersonalDataField[]> {
    const rows = await this.definitions(accountId);
    return rows
      .filter((row) => isDataCategory(row.dataCategory))
      .map((row) => ({
        column: 'custom',
        jsonKey: row.name,
        category: row.dataCategory as PersonalDataField['category'],
        ...(row.sensitive ? { sealed: { blindIndex: 'crm_blind_index' } } : {}),
      }));
  }

  /**
   * The account's categorised custom contact properties, by name. For the actor's own account
   * from the cached schema (every subject lookup asks), else read.
   */
  private async definitions(
    accountId: string,
  ): Promise<{ name: string; dataCategory: string | null; sensitive: boolean }[]> {
    if (this.context.actor?.accountId === accountId) {
      return [...(await this.schemas.schema('contacts')).byName.values()]
        .filter((definition) => !definition.standard && definition.dataCategory)
        .map((definition) => ({
          name: definition.name,
          dataCategory: definition.dataCategory ?? null,
          sensitive: definition.sensitivity !== null,
        }));
    }
    return this.transactions.manager.find(CustomPropertyDefinition, {
      select: { name: true, dataCategory: true, sensitive: true },
      where: { accountId, objectType: 'contacts', dataCategory: Not(IsNull()) },
      order: { name: 'ASC' },
    });
  }
}
