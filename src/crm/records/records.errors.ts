import { CustosError } from '@custos/core';
import type { PropertySchema } from '../kernel';

/** The errors of CRM records: stable codes, one wording each. */
export const RecordErrors = {
  /** A record the actor may not see, or that does not exist: the two are never told apart. */
  notFound: (schema: PropertySchema) =>
    new CustosError(
      'not_found',
      'crm.record_not_found',
      `The ${schema.objectType.singular} was not found.`,
    ),
  /** An item of a batch naming a record the actor may not see (422 naming the item). */
  notFoundAt: (schema: PropertySchema, field: string) =>
    CustosError.invalidField(
      'crm.record_not_found',
      field,
      `no such ${schema.objectType.singular}`,
    ),
  /**
   * A record the actor may see but not `action`; the action is named, the record is not. `item`
   * names the batch item it concerns.
   */
  forbidden: (schema: PropertySchema, action: string, item?: string) =>
    new CustosError(
      'forbidden',
      'crm.record_forbidden',
      `You may not ${action} ${item === undefined ? `this ${schema.objectType.singular}` : `the ${schema.objectType.singular} at ${item}`}.`,
      {
        extensions: { action },
        ...(item === undefined
          ? {}
          : {
              errors: [
                {
                  field: item,
                  message: `you may not ${action} this ${schema.objectType.singular}`,
                },
              ],
            }),
      },
    ),
  unknownProperty: (schema: PropertySchema, field: string, name?: string) =>
    CustosError.invalidField(
      'crm.unknown_property',
      field,
      `${name === undefined ? 'is' : `"${name}" is`} not a property of ${schema.objectType.name}`,
    ),
  readOnlyProperty: (field: string) =>
    CustosError.invalidField('crm.read_only_property', field, 'is read-only: the system sets it'),
  ownerIdMalformed: () =>
    CustosError.invalidField(
      'crm.invalid_value',
      'owner_id',
      'expected the id of a user of this account',
    ),
  ownerNotActive: () =>
    CustosError.invalidField(
      'crm.invalid_owner',
      'owner_id',
      'is not an active user of this account',
    ),
  requiredProperty: (field: string, clearing: boolean) =>
    CustosError.invalidField(
      'crm.required_property',
      field,
      clearing ? 'is required and cannot be cleared' : 'is required',
    ),
  duplicateId: (field: string) =>
    CustosError.invalidField('crm.duplicate_id', field, 'appears twice in this batch'),
  /** A unique value another record holds; `field` names where the request gave it. */
  uniqueValueTaken: (field: string, property: string) =>
    new CustosError(
      'conflict',
      'crm.unique_value_taken',
      `The value of "${property}" is already used by another record.`,
      {
        errors: [{ field, message: 'is already used by another record' }],
        extensions: { property },
      },
    ),
  /** A unique value a concurrent write took first (the unique index refused ours). */
  uniqueValueRaced: () =>
    new CustosError(
      'conflict',
      'crm.unique_value_taken',
      'A unique property value is already used by another record (a concurrent write took it first).',
    ),
  fieldNotEditable: (property: string, field = property) =>
    new CustosError('forbidden', 'crm.field_not_editable', `You may not edit "${property}".`, {
      errors: [{ field, message: 'you may not edit this property' }],
      extensions: { property },
    }),
  fieldNotReadable: (property: string, field: string) =>
    new CustosError(
      'forbidden',
      'crm.field_not_readable',
      `You may not filter or sort by "${property}".`,
      {
        errors: [{ field, message: 'you may not read this property' }],
        extensions: { property },
      },
    ),
  notHighlySensitive: (schema: PropertySchema, field: string, name: string) =>
    CustosError.invalidField(
      'crm.not_highly_sensitive',
      field,
      `"${name}" is not a highly sensitive property of ${schema.objectType.name}`,
    ),
};

/** A write refused for one item of a batch: its field paths are prefixed with the item's place. */
export function inItem(error: unknown, prefix: string): unknown {
  if (error instanceof CustosError && error.options.errors?.length) {
    const errors = error.options.errors.map((e) => ({
      field: `${prefix}.${e.field}`,
      message: e.message,
    }));
    return new CustosError(
      error.kind,
      error.code,
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      { ...error.options, errors },
    );
  }
  return error;
}
