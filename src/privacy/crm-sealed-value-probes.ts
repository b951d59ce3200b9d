import type {
  BlindIndexProbe,
  PersonalDataField,
  PersonalDataSource,
  ProbedIdentifier,
  SealedValueProbes,
} from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { OBJECT_TYPES, OBJECT_TYPE_NAMES, type ObjectTypeName } from '../crm/kernel';
import { PropertySchemaService, normalizeValue } from '../crm/properties';
import { CrmAccessService } from '../crm/records';

/**
 * Sealed CRM property values are found through `crm_blind_index`: the tokens of the identifier's
 * spellings under the account's blind-index key, per sensitive property the field covers (a key
 * of `custom`, or every sensitive property of the object type for `custom` as a whole),
 * normalised as equality search normalises them.
 */
@Injectable()
export class CrmSealedValueProbes implements SealedValueProbes {
  constructor(
    private readonly schemas: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
  ) {}

  async probes(
    accountId: string,
    source: PersonalDataSource,
    field: PersonalDataField,
    identifier: ProbedIdentifier,
  ): Promise<BlindIndexProbe[]> {
    const objectType = OBJECT_TYPE_NAMES.find(
      (name: ObjectTypeName) => OBJECT_TYPES[name].table === source.table,
    );
    if (field.sealed?.blindIndex !== 'crm_blind_index' || objectType === undefined) {
      throw new Error(`Personal-data source ${source.key}: not a CRM table with sealed values`);
    }
    const schema = await this.schemas.schema(objectType);
    const sensitive = await this.crmAccess.sensitiveFields(schema);
    if (sensitive === null) {
      return [];
    }
    const names = field.jsonKey
      ? [field.jsonKey].filter((name) => sensitive.has(name))
      : [...sensitive.names];
    return names.flatMap((name) =>
      identifier.values.flatMap((raw) => {
        const value = storedForm(sensitive.definition(name), raw);
        return value === null
          ? []
          : [
              {
                where: {
                  account_id: accountId,
                  object_type: objectType,
                  property_name: name,
                  token: sensitive.token(name, value),
                },
                recordColumn: 'record_id',
                field: `custom.${name}`,
              },
            ];
      }),
    );
  }
}

/** The value as the property stores it; `null` when it cannot be one (a phone for a date). */
function storedForm(definition: Parameters<typeof normalizeValue>[0], raw: string) {
  try {
    return normalizeValue(definition, raw, 'value');
  } catch {
    return null;
  }
}
