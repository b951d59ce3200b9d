import { CustosError } from '@custos/core';

/** Where a form field is named in a form definition: `fields[<index>].property`. */
const fieldPath = (index: number): string => `fields[${index}].property`;

/** Where a submission names its values: `fields.<property>`, as the submitter sent them. */
export const SUBMITTED_FIELDS = 'fields';

const submittedFieldPath = (property: string): string => `${SUBMITTED_FIELDS}.${property}`;

/**
 * The errors of forms and their submissions (`crm.*` codes), one wording each.
 * Definition errors carry the index of the form field, submission errors the property.
 */
export const formErrors = {
  notFound: (): CustosError => CustosError.notFound('crm.form_not_found', 'The form'),

  /** A consent box of a form definition, or a ticked box of a submission, that does not hold. */
  invalidConsent: (field: string, message: string): CustosError =>
    CustosError.invalidField('crm.invalid_form_consent', field, message),

  /** `forms`: the forms that collect the property (a removal refused). */
  propertyOnForms: (name: string, forms: readonly { id: string; name: string }[]): CustosError =>
    new CustosError(
      'conflict',
      'crm.property_on_form',
      `"${name}" cannot be deleted: the form${forms.length === 1 ? '' : 's'} ${forms.map((f) => `"${f.name}"`).join(', ')} collect${forms.length === 1 ? 's' : ''} it. Take it off ${forms.length === 1 ? 'that form' : 'those forms'} first.`,
      { extensions: { forms: forms.map((f) => f.id) } },
    ),

  unknownProperty: (index: number, property: string, objectType: string): CustosError =>
    CustosError.invalidField(
      'crm.unknown_property',
      fieldPath(index),
      `"${property}" is not a property of ${objectType}`,
    ),

  duplicateField: (index: number): CustosError =>
    CustosError.invalidField('crm.duplicate_form_field', fieldPath(index), 'appears twice'),

  readOnlyField: (index: number): CustosError =>
    CustosError.invalidField(
      'crm.read_only_property',
      fieldPath(index),
      'is read-only (computed or set by the system): a form cannot fill it',
    ),

  ownerField: (index: number): CustosError =>
    CustosError.invalidField(
      'crm.form_field_not_allowed',
      fieldPath(index),
      'the owner is assigned in the CRM, not by the person filling a form',
    ),

  missingRequiredProperty: (property: string): CustosError =>
    CustosError.invalidField(
      'crm.form_missing_required_property',
      'fields',
      `must include the required property "${property}"`,
    ),

  createForbidden: (objectType: string): CustosError =>
    new CustosError(
      'forbidden',
      'crm.form_create_forbidden',
      `You may not create ${objectType}, so you may not make a form that creates them.`,
      { errors: [{ field: 'objectType', message: `you may not create ${objectType}` }] },
    ),

  sensitiveFieldSuperAdminOnly: (index: number, property: string): CustosError =>
    new CustosError(
      'forbidden',
      'crm.form_sensitive_super_admin_only',
      `Only super admins may put the sensitive property "${property}" on a form.`,
      {
        errors: [
          { field: fieldPath(index), message: 'sensitive properties are for super admins only' },
        ],
        extensions: { property },
      },
    ),

  fieldNotEditable: (index: number, property: string): CustosError =>
    new CustosError(
      'forbidden',
      'crm.field_not_editable',
      `You may not edit "${property}", so you may not put it on a form.`,
      {
        errors: [{ field: fieldPath(index), message: 'you may not edit this property' }],
        extensions: { property },
      },
    ),

  duplicateRecipient: (index: number): CustosError =>
    CustosError.invalidField('crm.duplicate_recipient', `notify[${index}]`, 'appears twice'),

  invalidRecipient: (index: number): CustosError =>
    CustosError.invalidField(
      'crm.invalid_recipient',
      `notify[${index}]`,
      'is not an active user of this account',
    ),

  unknownSubmittedField: (property: string): CustosError =>
    CustosError.invalidField(
      'crm.unknown_form_field',
      submittedFieldPath(property),
      'is not a field of this form',
    ),

  fileExpected: (property: string): CustosError =>
    CustosError.invalidField(
      'crm.form_file_expected',
      submittedFieldPath(property),
      `is a file field: send the file as the multipart part "files[${property}]"`,
    ),

  invalidSubmittedValue: (property: string): CustosError =>
    CustosError.invalidField(
      'crm.invalid_value',
      submittedFieldPath(property),
      'expected a string, number, boolean or null',
    ),

  requiredField: (property: string): CustosError =>
    CustosError.invalidField('crm.required_property', submittedFieldPath(property), 'is required'),

  /** `part`: the multipart part's name, as sent (cut to 100 characters). */
  unknownFile: (part: string): CustosError =>
    CustosError.invalidField(
      'crm.unknown_form_file',
      part.slice(0, 100),
      'is not a file field of this form (file parts are named files[<property>])',
    ),

  duplicateFile: (part: string): CustosError =>
    CustosError.invalidField('crm.duplicate_form_file', part, 'is sent more than once'),

  /** Not the submitter's doing and not a state we know: the code admins see in the log. */
  submissionErrorCode: 'crm.form_submission_error',

  submissionUnavailable: (): CustosError =>
    new CustosError(
      'unavailable',
      'crm.form_submission_unavailable',
      'The submission could not be stored right now. Try again later.',
    ),

  throttled: (retryAfterSeconds: number): CustosError =>
    new CustosError(
      'rate_limited',
      'crm.form_submissions_throttled',
      `Too many form submissions from this address. Retry in ${retryAfterSeconds} seconds.`,
      { retryAfterSeconds },
    ),
};
