import { Injectable, type OnModuleInit } from '@nestjs/common';
import { KeyRotationRegistry, SealedFileRotationSource } from '@custos/crypto';
import { AttachmentStorage } from './attachment-storage';
import { CrmAttachment } from './attachment.entity';
import { openAttachment, sealAttachment } from './attachment-places';
import { readAll } from './attachment.service';

/**
 * Encrypted attachment files on older data-key versions, sealed again with the active key (and into
 * the current binding: record and holding property, see `sealAttachment`).
 */
@Injectable()
export class AttachmentRotationSource
  extends SealedFileRotationSource<CrmAttachment>
  implements OnModuleInit
{
  constructor(
    private readonly registry: KeyRotationRegistry,
    storage: AttachmentStorage,
  ) {
    super({
      name: 'crm_attachment',
      entity: CrmAttachment,
      label: 'Attachment',
      sealed: { where: 'f.encrypted = :encrypted', parameters: { encrypted: true } },
      reseal: async (cipher, attachment) => {
        const stream = await storage.get(attachment.storageKey);
        if (!stream) {
          return false;
        }
        const plaintext = await openAttachment(cipher, attachment, await readAll(stream));
        // Sealed again where the row says: with the record and the property that holds it now,
        // under the account's key still (the row's key version says so; a contact's files sealed
        // since are under the contact's key, which rotation re-wraps instead).
        const { sealed } = await sealAttachment(cipher, attachment, plaintext, null);
        await storage.put(attachment.storageKey, sealed);
        return true;
      },
    });
  }

  onModuleInit(): void {
    this.registry.addSource(this);
  }
}
