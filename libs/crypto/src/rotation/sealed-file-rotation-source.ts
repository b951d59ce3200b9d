import { Logger } from '@nestjs/common';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { AccountCipher } from '../cipher/account-cipher';
import { EnvelopeError } from '../envelope/envelope';
import type { RotationBatch, RotationBatchResult, RotationSource } from './rotation-source';

const logger = new Logger('SealedFileRotationSource');

/**
 * A row that stands for a sealed file: `keyVersion` names the account data key that sealed it;
 * `null` for a file under its holder's own key, which rotation re-wraps in the key table instead.
 */
export interface SealedFileRow {
  id: string;
  accountId: string;
  keyVersion: number | null;
}

/** Which rows of an entity stand for sealed files, and how one is sealed again. */
export interface SealedFiles<File extends SealedFileRow> {
  /** The source's name (stored as the rotation's position). */
  readonly name: string;
  readonly entity: EntityTarget<File>;
  /** What a log line calls one file (e.g. `Attachment`). */
  readonly label: string;
  /** The condition, on alias `f`, of the rows whose file is sealed and kept, with its parameters. */
  readonly sealed: { readonly where: string; readonly parameters?: ObjectLiteral };
  /**
   * Opens the file (any key version of the account), seals it again — with the active key, or
   * under its holder's own key — and stores it in place; `false` when the file is gone, else the
   * row's new `keyVersion` (`null`: under its holder's key now, which rotation re-wraps instead).
   * Throws {@link EnvelopeError} when it does not open.
   */
  reseal(cipher: AccountCipher, file: File): Promise<false | { keyVersion: number | null }>;
}

/**
 * The rotation of files sealed with an account's data key, each standing for one row: walk the
 * account's rows by id, lock those whose file is on an older key (`FOR UPDATE` on PostgreSQL, so
 * no other writer — a sweep deleting the file — moves it meanwhile), seal each file again, then
 * set the row's `keyVersion`. The file is replaced before its row's key version commits: a crash
 * in between leaves a file that opens (its envelope names its key version) and a row the next pass
 * handles again. A file that does not open is counted unreadable, logged without content, and kept
 * on its old key.
 */
export class SealedFileRotationSource<File extends SealedFileRow> implements RotationSource {
  readonly name: string;

  constructor(private readonly files: SealedFiles<File>) {
    this.name = files.name;
  }

  async reencryptBatch(batch: RotationBatch): Promise<RotationBatchResult> {
    const { manager, accountId, cipher, targetVersion, after, limit } = batch;
    const page = manager
      .createQueryBuilder(this.files.entity, 'f')
      .select(['f.id'])
      .where('f.accountId = :accountId', { accountId })
      .orderBy('f.id', 'ASC')
      .limit(limit);
    if (after !== null) {
      page.andWhere('f.id > :after', { after });
    }
    const ids = (await page.getMany()).map((row) => row.id);
    if (ids.length === 0) {
      return { lastKey: after, reencrypted: 0, unreadable: 0, done: true };
    }
    const stale = manager
      .createQueryBuilder(this.files.entity, 'f')
      .where('f.accountId = :accountId', { accountId })
      .andWhere('f.id IN (:...ids)', { ids })
      .andWhere(this.files.sealed.where, this.files.sealed.parameters)
      .andWhere('f.keyVersion < :targetVersion', { targetVersion });
    if (manager.connection.options.type === 'postgres') {
      stale.setLock('pessimistic_write');
    }
    let reencrypted = 0;
    let unreadable = 0;
    for (const file of await stale.getMany()) {
      let resealed: { keyVersion: number | null };
      try {
        const result = await this.files.reseal(cipher, file);
        if (!result) {
          throw new EnvelopeError('malformed');
        }
        resealed = result;
      } catch (error) {
        if (!(error instanceof EnvelopeError)) {
          throw error;
        }
        logger.error(
          `${this.files.label} ${file.id} does not open (${error.reason}) and keeps its old key.`,
        );
        unreadable += 1;
        continue;
      }
      // Typed as the row shape this class knows: its `keyVersion` column.
      const rows: EntityTarget<SealedFileRow> = this.files.entity;
      await manager.update(rows, file.id, { keyVersion: resealed.keyVersion });
      reencrypted += 1;
    }
    return { lastKey: ids[ids.length - 1], reencrypted, unreadable, done: ids.length < limit };
  }

  /** The account's sealed files, by the key version that sealed them. */
  async countByVersion(manager: EntityManager, accountId: string): Promise<Map<number, number>> {
    const rows = await manager
      .createQueryBuilder(this.files.entity, 'f')
      .select('f.keyVersion', 'version')
      .addSelect('COUNT(*)', 'count')
      .where('f.accountId = :accountId', { accountId })
      .andWhere(this.files.sealed.where, this.files.sealed.parameters)
      .andWhere('f.keyVersion IS NOT NULL')
      .groupBy('f.keyVersion')
      .getRawMany<{ version: number | string; count: number | string }>();
    return new Map(rows.map((r) => [Number(r.version), Number(r.count)]));
  }
}
