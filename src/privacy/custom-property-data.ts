import { RequestContext, TransactionHost } from '@custos/core';
import {
  isDataCategory,
  type PersonalDataField,
  type PersonalDataFieldProvider,
} from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { OBJECT_TYPE_NAMES, type ObjectTypeName } from '../crm/kernel';
import { CustomPropertyDefinition, PropertySchemaService } from '../crm/properties';

/** The registered source of each CRM object type's records (`server-personal-data.ts`). */
export const CRM_RECORD_SOURCES: Readonly<Record<ObjectTypeName, string>> = {
  contacts: 'crm.contact',
  companies: 'crm.company',
  deals: 'crm.deal',
};

/**
 * Custom properties of contacts, companies and deals get their category when they are defined
 * (`dataCategory`): each is a field of the object type's source, a key of its `custom` column;
 * sealed ones are found through the blind index. One provider per object type.
 */
@Injectable()
export class CustomPropertyData {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly schemas: PropertySchemaService,
  ) {}

  providers(): PersonalDataFieldProvider[] {
    return OBJECT_TYPE_NAMES.map((objectType) => ({
      source: CRM_RECORD_SOURCES[objectType],
      fieldsOf: (accountId: string) => this.fieldsOf(objectType, accountId),
    }));
  }

  async fieldsOf(objectType: ObjectTypeName, accountId: string): Promise<PersonalDataField[]> {
    const rows = await this.definitions(objectType, accountId);
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
   * The account's categorised custom properties of the object type, by name. For the actor's own
   * account from the cached schema (every subject lookup asks), else read.
   */
  private async definitions(
    objectType: ObjectTypeName,
    accountId: string,
  ): Promise<{ name: string; dataCategory: string | null; sensitive: boolean }[]> {
    if (this.context.actor?.accountId === accountId) {
      return [...(await this.schemas.schema(objectType)).byName.values()]
        .filter((definition) => !definition.standard && definition.dataCategory)
        .map((definition) => ({
          name: definition.name,
          dataCategory: definition.dataCategory ?? null,
          sensitive: definition.sensitivity !== null,
        }));
    }
    return this.transactions.manager.find(CustomPropertyDefinition, {
      select: { name: true, dataCategory: true, sensitive: true },
      where: { accountId, objectType, dataCategory: Not(IsNull()) },
      order: { name: 'ASC' },
    });
  }
}
