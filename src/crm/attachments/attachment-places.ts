import { EnvelopeError, type AccountCipher, type DataSubject } from '@custos/crypto';
import { OBJECT_TYPES, type ObjectTypeName } from '../kernel';
import { subjectOfRecord } from '../sensitive';
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
 * The data subject whose own key seals a file of the record: a contact's files are its personal
 * data, so the erasure's destruction of the contact's key makes every copy of them unopenable
 * (in the live store and in any copy of it). Files of companies and deals: the account's key.
 */
export function holderOfAttachment(attachment: AttachmentBinding): DataSubject | undefined {
  const type = OBJECT_TYPES[attachment.objectType as ObjectTypeName] as
    (typeof OBJECT_TYPES)[ObjectTypeName] | undefined;
  return type ? subjectOfRecord(type.table, attachment.recordId) : undefined;
}

/**
 * Seals a file bound to its attachment, its record and the file property holding it (if any yet):
 * a row moved by a database writer to another record or property no longer opens. A contact's
 * file is sealed under the contact's key (created now, on its own, if it has none). `keyVersion`
 * is the account key version of the pass that sealed it: key rotation seals files again — into
 * their current binding (a property that came to hold the file since), and a contact's file
 * sealed before under the account key under the contact's key.
 */
export async function sealAttachment(
  cipher: AccountCipher,
  attachment: AttachmentBinding,
  bytes: Uint8Array,
): Promise<{ sealed: Buffer; keyVersion: number | null }> {
  const holder = holderOfAttachment(attachment);
  if (holder) {
    await cipher.loadSubjectKeys([holder], { forSealing: true });
  }
  const sealed = cipher.sealBytes(bytes, {
    purpose: ATTACHMENT_PURPOSE,
    id: attachment.id,
    owner: ownerOf(attachment, attachment.propertyName),
    ...(holder ? { holder } : {}),
  });
  return { sealed, keyVersion: cipher.activeVersion };
}

/**
 * Opens a sealed file at the place its row names; throws `EnvelopeError` when it was sealed
 * elsewhere. A file a property came to hold after its upload was sealed before that, bound to its
 * record alone, and opens there too (until a key rotation seals it again with the property);
 * files of format 1 open where they were bound then: the attachment alone. A contact's file whose
 * key the erasure destroyed throws `SubjectErasedError`.
 */
export async function openAttachment(
  cipher: AccountCipher,
  attachment: AttachmentBinding,
  sealed: Uint8Array,
): Promise<Buffer> {
  const holder = holderOfAttachment(attachment);
  if (holder) {
    await cipher.loadSubjectKeys([holder]);
  }
  const formerPlace = { purpose: ATTACHMENT_PURPOSE, id: attachment.id };
  const at = (property: string | null) =>
    cipher.openBytes(
      sealed,
      { ...formerPlace, owner: ownerOf(attachment, property), ...(holder ? { holder } : {}) },
      formerPlace,
    );
  try {
    return at(attachment.propertyName);
  } catch (error) {
    if (!(error instanceof EnvelopeError) || attachment.propertyName === null) {
      throw error;
    }
    return at(null);
  }
}
