import { CustosError } from '@custos/core';
import type { SubjectFile, SubjectFileReader } from '@custos/privacy';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AttachmentService } from '../crm/attachments';

/** What the attachments refuse when the operator may not read a file (as if it did not exist). */
const REFUSED = ['not_found', 'forbidden'];

/**
 * Attachments' contents for an access package, read as the operator downloads them: a file of a
 * record or property they may not read, or sealed while they may not open sensitive data, is left
 * out; a sealed one is opened with the account's keys, its read audited by the attachments.
 */
@Injectable()
export class CrmAttachmentFiles implements SubjectFileReader {
  readonly source = 'crm.attachment';

  // The attachments module is registered by the host with its options: looked up where it is.
  constructor(private readonly moduleRef: ModuleRef) {}

  async read(rowIds: string[]): Promise<Map<string, SubjectFile>> {
    const attachments = this.moduleRef.get(AttachmentService, { strict: false });
    const files = new Map<string, SubjectFile>();
    for (const id of rowIds) {
      try {
        const { fileName } = await attachments.get(id);
        const chunks: Buffer[] = [];
        for await (const chunk of (await attachments.download(id)).getStream()) {
          chunks.push(Buffer.from(chunk as Uint8Array));
        }
        files.set(id, { name: fileName, content: Buffer.concat(chunks) });
      } catch (error) {
        if (!(error instanceof CustosError && REFUSED.includes(error.kind))) {
          throw error;
        }
      }
    }
    return files;
  }
}
