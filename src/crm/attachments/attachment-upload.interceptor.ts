import {
  Inject,
  Injectable,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Observable } from 'rxjs';
import { CustosError } from '@custos/core';
import {
  ATTACHMENTS_MODULE_OPTIONS,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  type AttachmentsModuleOptions,
} from './attachments.module-definition';

/** The part of multer's file description an attachment uses. */
export interface UploadedAttachment {
  buffer: Buffer;
  originalname: string;
  mimetype: string;
  size: number;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MB` : `${bytes} bytes`;
}

/** The 413 problem of a file above the attachment limit (uploads and form submissions alike). */
export function fileTooLarge(maxFileBytes: number): CustosError {
  return new CustosError(
    'payload_too_large',
    'crm.attachment_too_large',
    `The file is larger than ${megabytes(maxFileBytes)}, the largest attachment this server accepts.`,
    { extensions: { maxBytes: maxFileBytes } },
  );
}

/**
 * Receives the `file` part of an upload into memory, up to the configured size (a 413 problem
 * beyond). Memory, not a temporary file: an account that encrypts its files must never have
 * their plaintext written to disk, and the size limit bounds what one upload holds.
 */
@Injectable()
export class AttachmentUploadInterceptor implements NestInterceptor {
  private readonly upload: NestInterceptor;
  private readonly maxFileBytes: number;

  constructor(@Inject(ATTACHMENTS_MODULE_OPTIONS) options: AttachmentsModuleOptions) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
    // Without `dest` or `storage`, multer keeps the file in memory.
    const Upload = FileInterceptor('file', {
      defParamCharset: 'utf8',
      limits: { fileSize: this.maxFileBytes, files: 1, fields: 10, fieldSize: 1024 },
    });
    this.upload = new Upload();
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await this.upload.intercept(context, next);
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    return error instanceof PayloadTooLargeException ? fileTooLarge(this.maxFileBytes) : error;
  }
}
