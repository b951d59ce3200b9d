import {
  Inject,
  Injectable,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import type { Observable } from 'rxjs';
import {
  ATTACHMENTS_MODULE_OPTIONS,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  fileTooLarge,
  type AttachmentsModuleOptions,
  type UploadedAttachment,
} from '../attachments';

/** A file part of a submission: multer's description, with the part's name (`files[<property>]`). */
export interface UploadedFormFile extends UploadedAttachment {
  fieldname: string;
}

/** File parts one submission may carry (a form's file fields, each once, stay far below). */
export const MAX_SUBMISSION_FILES = 10;

/**
 * Receives a `multipart/form-data` submission into memory — text parts `fields[<name>]`, file
 * parts `files[<name>]`, each file at most the attachment limit (413 beyond) — so that a file
 * meant to be encrypted never touches the disk in clear. JSON submissions pass through untouched.
 */
@Injectable()
export class FormSubmissionUploadInterceptor implements NestInterceptor {
  private readonly upload: NestInterceptor;
  private readonly maxFileBytes: number;

  constructor(@Inject(ATTACHMENTS_MODULE_OPTIONS) options: AttachmentsModuleOptions) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
    // Without `dest` or `storage`, multer keeps the files in memory.
    const Upload = AnyFilesInterceptor({
      defParamCharset: 'utf8',
      limits: {
        fileSize: this.maxFileBytes,
        files: MAX_SUBMISSION_FILES,
        fields: 200,
        fieldSize: 64 * 1024,
      },
    });
    this.upload = new Upload();
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await this.upload.intercept(context, next);
    } catch (error) {
      throw error instanceof PayloadTooLargeException ? fileTooLarge(this.maxFileBytes) : error;
    }
  }
}
