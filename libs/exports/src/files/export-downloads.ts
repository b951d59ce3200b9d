import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import { Clock, TransactionHost } from '@custos/core';
import { EnvelopeError, SubjectErasedError } from '@custos/crypto';
import { DataExport } from '../export.entity';
import { ExportErrors } from '../exports.errors';
import { ExportLog } from '../log/export-log';
import { ExportFiles } from './export-files';

const logger = new Logger('ExportDownloads');

/**
 * Downloads of export files: by the requester only (anyone else gets the 404 of an export they
 * cannot see, a super admin too), only through Custos, only while unexpired (410 after). Each
 * download is counted and audited with the file's SHA-256, the receipt of what left.
 */
@Injectable()
export class ExportDownloads {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly log: ExportLog,
    private readonly files: ExportFiles,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async download(id: string): Promise<StreamableFile> {
    const entity = await this.log.own(id);
    if (
      entity.state === 'file_expired' ||
      (entity.state === 'done' && entity.fileExpiresAt! <= this.clock.now())
    ) {
      throw ExportErrors.fileExpired();
    }
    if (entity.state !== 'done') {
      throw ExportErrors.fileNotReady(entity.state);
    }
    const file = await this.read(entity);
    if (!file) {
      throw ExportErrors.fileExpired(); // removed by the sweep a moment ago
    }
    await this.transactions.run(async (manager) => {
      await manager.increment(DataExport, { id }, 'downloads', 1);
      await this.audit.record({
        action: 'export.downloaded',
        targetType: 'export',
        targetId: id,
        metadata: { sha256: entity.sha256, size: entity.size, format: entity.format },
      });
    });
    return new StreamableFile(file, {
      type: entity.contentType ?? 'application/octet-stream',
      disposition: `attachment; filename="export-${entity.id}.${entity.fileExtension ?? 'bin'}"`,
      length: entity.size ?? undefined,
    });
  }

  /**
   * The file in clear; its key destroyed by the erasure of a subject it carried is 410 — the
   * export's row, hash and log stay (the record of who received what, Art. 19).
   */
  private async read(entity: DataExport) {
    try {
      return await this.files.read(entity.accountId, entity.id);
    } catch (error) {
      if (error instanceof SubjectErasedError) {
        throw ExportErrors.fileErased();
      }
      if (error instanceof EnvelopeError) {
        // Tampered with, or its key row changed by a database writer: logged by id and reason only.
        logger.error(`The file of export ${entity.id} does not open (${error.reason})`);
        throw ExportErrors.fileUnreadable();
      }
      throw error;
    }
  }
}
