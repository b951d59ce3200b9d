import { EnvelopeError, type AccountCipher } from '@custos/crypto';
import type { CrmAttachment } from './attachment.entity';

/** The `purpose` of attachment envelopes (part of their authenticated place). */
const ATTACHMENT_PURPOSE = 'attachment';

/** What a sealed file's place is made of: the attachment, its record and its holding property. */
export type AttachmentBinding = Pick<
  CrmAttachment,
  'id' | 'objectType' | 'recordId' | 'propertyName'
>;

function ownerOf(attachment: AttachmentBinding, property: string | null): string {
  const record = `${attachment.objectType}/${attachment.recordId}`;
  return property === null ? record : `${record}/${property}`;
}

/**
 * Seals a file bound to its attachment, its record and the file property holding it (if any yet):
 * a row moved by a database writer to another record or property no longer opens.
 */
export function sealAttachment(
  cipher: AccountCipher,
  attachment: AttachmentBinding,
  bytes: Uint8Array,
): Buffer {
  return cipher.sealBytes(bytes, {
    purpose: ATTACHMENT_PURPOSE,
    id: attachment.id,
    owner: ownerOf(attachment, attachment.propertyName),
  });
}

/**
 * Opens a sealed file at the place its row names; throws `EnvelopeError` when it was sealed
 * elsewhere. A file a property came to hold after its upload was sealed before that, bound to its
 * record alone, and opens there too (until a key rotation seals it again with the property);
 * files of format 1 open where they were bound then: the attachment alone.
 */
export function openAttachment(
  cipher: AccountCipher,
  attachment: AttachmentBinding,
  sealed: Uint8Array,
): Buffer {
  const formerPlace = { purpose: ATTACHMENT_PURPOSE, id: attachment.id };
  const at = (property: string | null) =>
    cipher.openBytes(sealed, { ...formerPlace, owner: ownerOf(attachment, property) }, formerPlace);
  try {
    return at(attachment.propertyName);
  } catch (error) {
    if (!(error instanceof EnvelopeError) || attachment.propertyName === null) {
      throw error;
    }
    return at(null);
  }
}
