import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EnvelopeError } from '../envelope/envelope';
import type {
  RotationBatch,
  RotationBatchResult,
  RotationSource,
} from '../rotation/rotation-source';
import { SubjectKeyRecord } from './subject-key.entity';
import { subjectKeyPlace } from './subject-key-state';

const logger = new Logger('SubjectKeyRotationSource');

/**
 * Key rotation of data subjects' keys: each live subject key wrapped by an older account key is
 * wrapped again by the active one — the values it sealed are not touched, however many there
 * are. Rows are locked (PostgreSQL) and read again before being rewritten, in the batch's
 * transaction. A subject key counts as one value of its wrapping version.
 */
export class SubjectKeyRotationSource implements RotationSource {
  readonly name = 'crypto_subject_key';

  async reencryptBatch(batch: RotationBatch): Promise<RotationBatchResult> {
    const { manager, accountId, cipher, targetVersion, after, limit } = batch;
    const scan = manager
      .createQueryBuilder(SubjectKeyRecord, 'k')
      .select(['k.id', 'k.keyVersion', 'k.wrappedKey'])
      .where('k.accountId = :accountId', { accountId })
      .orderBy('k.id', 'ASC')
      .limit(limit);
    if (after !== null) {
      scan.andWhere('k.id > :after', { after });
    }
    const rows = await scan.getMany();
    const stale = rows
      .filter((row) => row.wrappedKey !== null && row.keyVersion! < targetVersion)
      .map((row) => row.id);
    let reencrypted = 0;
    let unreadable = 0;
    for (const row of await this.lock(manager, accountId, stale)) {
      if (row.wrappedKey === null || row.keyVersion! >= targetVersion) {
        continue; // destroyed or re-wrapped meanwhile
      }
      const place = subjectKeyPlace({ kind: row.subjectKind, id: row.subjectId }, row.generation);
      try {
        const wrappedKey = cipher.seal(cipher.open(row.wrappedKey, place), place);
        await manager.update(
          SubjectKeyRecord,
          { id: row.id },
          { wrappedKey, keyVersion: cipher.activeVersion },
        );
        reencrypted += 1;
      } catch (error) {
        if (!(error instanceof EnvelopeError)) {
          throw error;
        }
        logger.error(
          `A subject key does not unwrap (${error.reason}) and keeps its wrapping key: account ${accountId}, ${row.subjectKind} ${row.subjectId}.`,
        );
        unreadable += 1;
      }
    }
    return {
      lastKey: rows.at(-1)?.id ?? after,
      reencrypted,
      unreadable,
      done: rows.length < limit,
    };
  }

  async countByVersion(manager: EntityManager, accountId: string): Promise<Map<number, number>> {
    const rows = await manager
      .createQueryBuilder(SubjectKeyRecord, 'k')
      .select('k.keyVersion', 'version')
      .addSelect('COUNT(*)', 'count')
      .where('k.accountId = :accountId', { accountId })
      .andWhere('k.wrappedKey IS NOT NULL')
      .groupBy('k.keyVersion')
      .getRawMany<{ version: number | string; count: number | string }>();
    return new Map(rows.map((row) => [Number(row.version), Number(row.count)]));
  }

  private lock(
    manager: EntityManager,
    accountId: string,
    ids: string[],
  ): Promise<SubjectKeyRecord[]> {
    if (ids.length === 0) {
      return Promise.resolve([]);
    }
    const builder = manager
      .createQueryBuilder(SubjectKeyRecord, 'k')
      .where('k.accountId = :accountId', { accountId })
      .andWhere('k.id IN (:...ids)', { ids })
      .orderBy('k.id', 'ASC');
    if (manager.connection.options.type === 'postgres') {
      builder.setLock('pessimistic_write');
    }
    return builder.getMany();
  }
}
