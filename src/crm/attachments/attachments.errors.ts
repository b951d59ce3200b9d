import { CustosError } from '@custos/core';

/** The errors of CRM attachments: stable codes, one wording each. */
export const AttachmentErrors = {
  /** An attachment the actor may not see, or that does not exist: the two are never told apart. */
  notFound: () => CustosError.notFound('crm.attachment_not_found', 'The attachment'),
  unreadable: () =>
    new CustosError(
      'unavailable',
      'crm.attachment_unreadable',
      'The stored file cannot be served: it is missing or fails its integrity check. An operator must restore it from a backup.',
    ),
  fileMissing: () =>
    CustosError.invalidField(
      'crm.attachment_file_missing',
      'file',
      'attach the file as the multipart part named "file"',
    ),
  settingChanged: () =>
    new CustosError(
      'conflict',
      'crm.attachment_setting_changed',
      'Sensitive data was enabled while this file was uploaded; upload it again to store it encrypted.',
    ),
  sensitive: () =>
    new CustosError(
      'forbidden',
      'crm.attachment_sensitive',
      'Encrypted files are never readable in a support session or by a partner admin.',
    ),
  propertyInvalid: (objectType: string) =>
    CustosError.invalidField(
      'crm.attachment_property_invalid',
      'property',
      `must be a file property of ${objectType}`,
    ),
};
