import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { RecordAction } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  RequestContext,
  TransactionHost,
  keysetPage,
  mapPage,
  newId,
  type Page,
  mayDecryptSensitive,
} from '@custos/core';
import { AccountCiphers, EnvelopeError } from '@custos/crypto';
import { SensitiveDataService } from '../../sensitive-data';
import {
  CrmAccessService,
  RecordErrors,
  RecordQuery,
  assertChangeable,
  type RecordAccess,
} from '../records';
import { PropertySchemaService } from '../properties';
import { AttachmentErrors } from './attachments.errors';
import { openAttachment, sealAttachment } from './attachment-places';
import { AttachmentStorage } from './attachment-storage';
import { mayReadHeldFile, readableHeldFiles } from './attachment-holders';
import type { UploadedAttachment } from './attachment-upload.interceptor';
import type { AttachmentDto } from './attachment.dto';
import { CrmAttachment } from './attachment.entity';
import { contentDisposition, sanitizeContentType, sanitizeFileName } from './file-names';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Files attached to CRM records. Access follows the record: reading its files needs read access
 * to it, adding or deleting them edit access, checked in SQL. A file held by a file property
 * (`propertyName`) also follows that property: for whoever may not read it, the file does not exist. Files uploaded while the account has
 * sensitive data enabled are sealed with its data key before they reach the storage.
 */
@Injectable()
export class AttachmentService {
  private readonly logger = new Logger(AttachmentService.name);

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly properties: PropertySchemaService,
    private readonly crmAccess: CrmAccessService,
    private readonly sensitiveData: SensitiveDataService,
    private readonly ciphers: AccountCiphers,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly storage: AttachmentStorage,
    private readonly query: RecordQuery,
  ) {}

  /**
   * Stores a file as an attachment of the record; `property` names the file property that will
   * hold it (see `holdAttachments`), so that it follows that property from the upload on.
   */
  async upload(
    objectType: string,
    recordId: string,
    file: UploadedAttachment | undefined,
    property: string | null = null,
  ): Promise<AttachmentDto> {
    const actor = this.context.requireActor();
    if (!file) {
      throw AttachmentErrors.fileMissing();
    }
    // Refuse before storing anything; checked again under lock when the row is written.
    const access = await this.requireRecord(objectType, recordId, 'update');
    const schema = access.schema;
    if (property !== null) {
      assertHolder(access, property);
    }
    const id = newId();
    let bytes = file.buffer;
    let keyVersion: number | null = null;
    let encrypted = false;
    if ((await this.sensitiveData.state(actor.accountId)).enabled) {
      encrypted = true;
      const cipher = await this.ciphers.forAccount(actor.accountId);
      ({ sealed: bytes, keyVersion } = await sealAttachment(
        cipher,
        { id, objectType: schema.objectType.name, recordId, propertyName: property },
        file.buffer,
      ));
    }
    const entity: CrmAttachment = {
      id,
      accountId: actor.accountId,
      objectType: schema.objectType.name,
      recordId,
      propertyName: property,
      fileName: sanitizeFileName(file.originalname),
      contentType: sanitizeContentType(file.mimetype),
      size: file.size,
      encrypted,
      keyVersion,
      storageKey: `${actor.accountId}/${id}`,
      createdAt: this.clock.now(),
      createdByKind: actor.kind,
      createdBy: actor.id,
    };
    await this.storage.put(entity.storageKey, bytes);
    try {
      await this.transactions.run(async (manager) => {
        // The lock holds off a purge of the record until this attachment is in (and purged with it).
        await this.requireRecord(objectType, recordId, 'update', true);
        // Sensitive data enabled while the file was being stored: it must not land in clear.
        if (
          !entity.encrypted &&
          (await this.sensitiveData.state(actor.accountId, manager, true)).enabled
        ) {
          throw AttachmentErrors.settingChanged();
        }
        await manager.insert(CrmAttachment, entity);
        await this.audit.record({
          action: 'attachment.uploaded',
          targetType: 'attachment',
          targetId: id,
          metadata: this.auditMetadata(entity),
        });
      });
    } catch (error) {
      await this.storage.delete(entity.storageKey);
      throw error;
    }
    return toDto(entity);
  }

  /**
   * The record's attachments, oldest first, with cursor pagination: those held by no property
   * and those held by a property the actor may read.
   */
  async list(
    objectType: string,
    recordId: string,
    query: { limit?: number; after?: string },
  ): Promise<Page<AttachmentDto>> {
    const access = await this.requireRecord(objectType, recordId, 'read');
    const schema = access.schema;
    const held = readableHeldFiles(access);
    const builder = this.transactions.manager
      .createQueryBuilder(CrmAttachment, 'a')
      .where('a.accountId = :accountId', { accountId: this.context.requireAccountId() })
      .andWhere('a.objectType = :objectType AND a.recordId = :recordId', {
        objectType: schema.objectType.name,
        recordId,
      })
      .andWhere(held.sql, held.parameters);
    return mapPage(await keysetPage(builder, 'a.id', (a) => a.id, query), toDto);
  }

  async get(id: string): Promise<AttachmentDto> {
    return toDto(await this.findReadable(id));
  }

  /**
   * The file's bytes. A sealed file is opened whole before anything is sent, so a tampered one is
   * refused with a problem rather than cut off mid-download; its download is audited.
   */
  async download(id: string): Promise<StreamableFile> {
    const attachment = await this.findReadable(id, true);
    const stream = await this.storage.get(attachment.storageKey);
    if (!stream) {
      this.logger.error({ attachmentId: id }, 'The stored file of an attachment is missing');
      throw AttachmentErrors.unreadable();
    }
    // No length for streamed plaintext: its file is not integrity-protected, so the header could lie.
    const options = {
      type: attachment.contentType,
      disposition: contentDisposition(attachment.fileName),
    };
    if (!attachment.encrypted) {
      return new StreamableFile(stream, options);
    }
    const plaintext = await this.open(attachment, await readAll(stream));
    await this.audit.record({
      action: 'attachment.downloaded',
      targetType: 'attachment',
      targetId: id,
      metadata: this.auditMetadata(attachment),
    });
    return new StreamableFile(plaintext, options);
  }

  async remove(id: string): Promise<void> {
    const attachment = await this.transactions.run(async (manager) => {
      const found = await manager.findOneBy(CrmAttachment, {
        accountId: this.context.requireAccountId(),
        id,
      });
      if (!found) {
        throw AttachmentErrors.notFound();
      }
      await this.requireRecord(found.objectType, found.recordId, 'update', true, found);
      await manager.delete(CrmAttachment, { accountId: found.accountId, id });
      await this.audit.record({
        action: 'attachment.deleted',
        targetType: 'attachment',
        targetId: id,
        metadata: this.auditMetadata(found),
      });
      return found;
    });
    // After the commit: a failure here leaves a file no row refers to, which the sweep removes.
    await this.storage.delete(attachment.storageKey);
  }

  /**
   * The attachment, if the actor may read its record and the property holding it (else 404, as if
   * it did not exist). The content of a sealed file is never served to a support session,
   * whatever its access.
   */
  private async findReadable(id: string, content = false): Promise<CrmAttachment> {
    const actor = this.context.requireActor();
    const attachment = await this.transactions.manager.findOneBy(CrmAttachment, {
      accountId: actor.accountId,
      id,
    });
    if (!attachment) {
      throw AttachmentErrors.notFound();
    }
    await this.requireRecord(attachment.objectType, attachment.recordId, 'read', false, attachment);
    if (content && attachment.encrypted && !mayDecryptSensitive(actor)) {
      throw AttachmentErrors.sensitive();
    }
    return attachment;
  }

  /** Opens a sealed file; a refused envelope is logged (ids and reason only) and answered with a problem. */
  private async open(attachment: CrmAttachment, sealed: Buffer): Promise<Buffer> {
    const cipher = await this.ciphers.forAccount(attachment.accountId);
    try {
      return await openAttachment(cipher, attachment, sealed);
    } catch (error) {
      if (error instanceof EnvelopeError) {
        this.logger.error(
          {
            attachmentId: attachment.id,
            objectType: attachment.objectType,
            recordId: attachment.recordId,
            reason: error.reason,
          },
          'An encrypted attachment cannot be opened',
        );
        throw AttachmentErrors.unreadable();
      }
      throw error;
    }
  }

  /**
   * Refuses unless the actor may `action` the record (see `RecordQuery.require`). With an
   * `attachment`, a refusal that would tell it exists is about it: held by a property the actor may
   * not read, or of a record they may not see, it is a 404 before anything else is told.
   */
  private async requireRecord(
    objectType: string,
    recordId: string,
    action: Extract<RecordAction, 'read' | 'update'>,
    lock = false,
    attachment?: CrmAttachment,
  ): Promise<RecordAccess> {
    const schema = await this.properties.schema(objectType);
    const access = await this.crmAccess.forSchema(schema);
    if (attachment && !mayReadHeldFile(access, attachment.propertyName)) {
      throw AttachmentErrors.notFound();
    }
    try {
      await this.query.require(schema, access, recordId, action, { lock });
      if (action === 'update') {
        // Adding or deleting a file edits the record: refused while its processing is restricted.
        await assertChangeable(
          this.transactions.manager,
          schema,
          this.context.requireAccountId(),
          [recordId],
          () => 'recordId',
        );
      }
    } catch (error) {
      if (attachment && error instanceof CustosError && error.kind === 'not_found') {
        throw AttachmentErrors.notFound();
      }
      throw error;
    }
    return access;
  }

  /** Ids and sizes only: file names may be personal data. */
  private auditMetadata(attachment: CrmAttachment): Record<string, unknown> {
    return {
      objectType: attachment.objectType,
      recordId: attachment.recordId,
      attachmentId: attachment.id,
      size: attachment.size,
      encrypted: attachment.encrypted,
    };
  }
}

/** The property an upload names must be a file property the actor may edit (they will write the id there). */
function assertHolder(access: RecordAccess, property: string): void {
  if (access.schema.byName.get(property)?.type !== 'file') {
    throw AttachmentErrors.propertyInvalid(access.schema.objectType.name);
  }
  if (!access.canEdit(property)) {
    throw RecordErrors.fieldNotEditable(property, 'property');
  }
}

function toDto(attachment: CrmAttachment): AttachmentDto {
  return {
    id: attachment.id,
    objectType: attachment.objectType,
    recordId: attachment.recordId,
    property: attachment.propertyName,
    fileName: attachment.fileName,
    contentType: attachment.contentType,
    size: attachment.size,
    encrypted: attachment.encrypted,
    createdAt: attachment.createdAt.toISOString(),
    createdBy: { kind: attachment.createdByKind, id: attachment.createdBy },
  };
}
