import { Injectable, type OnModuleInit } from '@nestjs/common';
import { KeyRotationRegistry, SealedFileRotationSource } from '@custos/crypto';
import { AttachmentStorage } from './attachment-storage';
import { CrmAttachment } from './attachment.entity';
import { openAttachment, sealAttachment } from './attachment-places';
import { readAll } from './attachment.service';

/**
 * Encrypted attachment files on older data-key versions, sealed again (into the current binding:
 * record and holding property, see `sealAttachment`) — a contact's under the contact's own key.
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
        // and a contact's file under the contact's own key from now on.
        const { sealed, keyVersion } = await sealAttachment(cipher, attachment, plaintext);
        await storage.put(attachment.storageKey, sealed);
        return { keyVersion };
      },
    });
  }

  onModuleInit(): void {
    this.registry.addSource(this);
  }
}
