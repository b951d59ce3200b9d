import { TransactionHost } from '@custos/core';
import {
  isDataCategory,
  type PersonalDataField,
  type PersonalDataFieldProvider,
} from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { CustomPropertyDefinition } from '../crm/properties';

/**
 * Custom contact properties get their category when they are defined (`dataCategory`): each is
 * a field of `crm.contact`, a key of its `custom` column; sealed ones are found through the
 * blind index.
 */
@Injectable()
export class CustomPropertyData implements PersonalDataFieldProvider {
  readonly source = 'crm.contact';

  constructor(private readonly transactions: TransactionHost) {}

  async fieldsOf(accountId: string): Promise<PersonalDataField[]> {
    const rows = await this.transactions.manager.find(CustomPropertyDefinition, {
      select: { name: true, dataCategory: true, sensitive: true },
      where: { accountId, objectType: 'contacts', dataCategory: Not(IsNull()) },
      order: { name: 'ASC' },
    });
    return rows
      .filter((row) => isDataCategory(row.dataCategory))
      .map((row) => ({
        column: 'custom',
        jsonKey: row.name,
        category: row.dataCategory as PersonalDataField['category'],
        ...(row.sensitive ? { sealed: { blindIndex: 'crm_blind_index' } } : {}),
      }));
  }
}
