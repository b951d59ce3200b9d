import { Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EnvelopeError,
  KeyRotationRegistry,
  type RotationBatch,
  type RotationBatchResult,
  type RotationSource,
} from '@custos/crypto';
import { DataExport } from '../export.entity';
import { ExportFiles } from './export-files';

const logger = new Logger('ExportFileRotationSource');

/**
 * Sealed export files on older data-key versions, sealed again with the active key, as attachments
 * are: resealing (rather than keeping an old key while an unexpired file uses it) lets an old key be
 * retired as soon as a rotation completes, whatever the files' lifetime, and costs one pass over
 * the few sealed files that are downloadable (`done`). The file is replaced before its row's
 * `key_version` commits: a crash in between leaves a file that opens (its frames name their key
 * version) and a row the next pass handles again. The row is locked (PostgreSQL) so the sweep
 * cannot expire it meanwhile and leave a resealed file behind.
 */
@Injectable()
export class ExportFileRotationSource implements RotationSource, OnModuleInit {
  readonly name = 'custos_export';

  constructor(
    private readonly files: ExportFiles,
    // Absent when the host has no key rotation: then there is nothing to take part in.
    @Optional() private readonly registry?: KeyRotationRegistry,
  ) {}

  onModuleInit(): void {
    this.registry?.addSource(this);
  }

  async reencryptBatch(batch: RotationBatch): Promise<RotationBatchResult> {
    const { manager, accountId, cipher, targetVersion, after, limit } = batch;
    const page = manager
      .createQueryBuilder(DataExport, 'e')
      .select(['e.id'])
      .where('e.accountId = :accountId', { accountId })
      .orderBy('e.id', 'ASC')
      .limit(limit);
    if (after !== null) {
      page.andWhere('e.id > :after', { after });
    }
    const ids = (await page.getMany()).map((e) => e.id);
    if (ids.length === 0) {
      return { lastKey: after, reencrypted: 0, unreadable: 0, done: true };
    }
    const stale = manager
      .createQueryBuilder(DataExport, 'e')
      .where('e.accountId = :accountId', { accountId })
      .andWhere('e.id IN (:...ids)', { ids })
      .andWhere("e.state = 'done'")
      .andWhere('e.keyVersion < :targetVersion', { targetVersion });
    if (manager.connection.options.type === 'postgres') {
      stale.setLock('pessimistic_write');
    }
    let reencrypted = 0;
    let unreadable = 0;
    for (const entity of await stale.getMany()) {
      try {
        if (!(await this.files.reseal(cipher, entity.id, entity.fileKey!))) {
          throw new EnvelopeError('malformed');
        }
      } catch (error) {
        if (!(error instanceof EnvelopeError)) {
          throw error;
        }
        logger.error(
          `Export file ${entity.id} does not open (${error.reason}) and keeps its old key.`,
        );
        unreadable += 1;
        continue;
      }
      await manager.update(DataExport, { id: entity.id }, { keyVersion: cipher.activeVersion });
      reencrypted += 1;
    }
    return { lastKey: ids[ids.length - 1], reencrypted, unreadable, done: ids.length < limit };
  }

  /** Sealed files still downloadable, by the key version that sealed them. */
  async countByVersion(manager: EntityManager, accountId: string): Promise<Map<number, number>> {
    const rows = await manager
      .createQueryBuilder(DataExport, 'e')
      .select('e.keyVersion', 'version')
      .addSelect('COUNT(*)', 'count')
      .where("e.accountId = :accountId AND e.state = 'done' AND e.keyVersion IS NOT NULL", {
        accountId,
      })
      .groupBy('e.keyVersion')
      .getRawMany<{ version: number | string; count: number | string }>();
    return new Map(rows.map((r) => [Number(r.version), Number(r.count)]));
  }
}
