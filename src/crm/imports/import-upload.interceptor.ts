import {
  Inject,
  Injectable,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { catchError, defer, from, mergeAll, mergeMap, throwError, type Observable } from 'rxjs';
import { CustosError, RequestContext } from '@custos/core';
import type { AccountCipher } from '@custos/crypto';
import { ImportFiles } from './import-files';
import {
  DEFAULT_IMPORT_MAX_BYTES,
  IMPORTS_MODULE_OPTIONS,
  type ImportsModuleOptions,
} from './imports.module-definition';

/** The part of multer's file description the import uses. */
export interface UploadedCsv {
  /** The id the import takes (its sealed file is bound to it). */
  id: string;
  /** Its key in the `FileStore` (below `imports/uploads/`; sealed once sensitive data is on). */
  key: string;
  originalname: string;
  size: number;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MB` : `${bytes} bytes`;
}

/**
 * Receives the `file` part of an import straight into the file store (multer; never whole in memory), sealed
 * as it arrives once the account has sensitive data on (see `ImportFiles`), up to the configured
 * size, which is a 413 problem beyond. When anything refuses the request afterwards (validation,
 * the service), the stored upload is removed.
 */
@Injectable()
export class ImportUploadInterceptor implements NestInterceptor {
  private readonly upload: NestInterceptor;
  private readonly maxFileBytes: number;
  /** The cipher of each request's upload, decided before multer reads the body. */
  private readonly sealers = new WeakMap<object, AccountCipher | null>();

  constructor(
    @Inject(IMPORTS_MODULE_OPTIONS) options: ImportsModuleOptions,
    private readonly files: ImportFiles,
    private readonly context: RequestContext,
  ) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_IMPORT_MAX_BYTES;
    const Upload = FileInterceptor('file', {
      storage: files.storageEngine((request) => this.sealers.get(request) ?? null),
      defParamCharset: 'utf8',
      limits: { fileSize: this.maxFileBytes, files: 1, fields: 500, fieldSize: 256 * 1024 },
    });
    this.upload = new Upload();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ file?: UploadedCsv }>();
    return defer(async () => {
      this.sealers.set(request, await this.files.sealerFor(this.context.requireAccountId()));
      return this.upload.intercept(context, next);
    }).pipe(
      mergeAll(),
      catchError((error: unknown) =>
        from(this.files.remove(request.file?.key)).pipe(
          mergeMap(() => throwError(() => this.translate(error))),
        ),
      ),
    );
  }

  private translate(error: unknown): unknown {
    if (error instanceof PayloadTooLargeException) {
      return new CustosError(
        'payload_too_large',
        'crm.import_too_large',
        `The file is larger than ${megabytes(this.maxFileBytes)}, the largest import this server accepts. Split it into smaller files.`,
        { extensions: { maxBytes: this.maxFileBytes } },
      );
    }
    return error;
  }
}
