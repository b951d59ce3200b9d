import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  EnvelopeError,
  KeyRotationRegistry,
  type RotationBatch,
  type RotationBatchResult,
  type RotationSource,
} from '@custos/crypto';
import { AttachmentStorage } from './attachment-storage';
import { CrmAttachment } from './attachment.entity';
import { openAttachment, sealAttachment } from './attachment-places';
import { readAll } from './attachment.service';

const logger = new Logger('AttachmentRotationSource');

/**
 * Encrypted attachment files on older data-key versions, sealed again with the active key (and into
 * the current binding: record and holding property, see `sealAttachment`). The
 * file is replaced before its row's `key_version` commits: a crash in between leaves a file that
 * opens (its envelope names its key version) and a row the next pass handles again.
 */
@Injectable()
export class AttachmentRotationSource implements RotationSource, OnModuleInit {
  readonly name = 'crm_attachment';

  constructor(
    private readonly registry: KeyRotationRegistry,
    private readonly storage: AttachmentStorage,
  ) {}

  onModuleInit(): void {
    this.registry.addSource(this);
  }

  async reencryptBatch(batch: RotationBatch): Promise<RotationBatchResult> {
    const { manager, accountId, cipher, targetVersion, after, limit } = batch;
    const page = manager
      .createQueryBuilder(CrmAttachment, 'a')
      .select(['a.id'])
      .where('a.accountId = :accountId', { accountId })
      .orderBy('a.id', 'ASC')
      .limit(limit);
    if (after !== null) {
      page.andWhere('a.id > :after', { after });
    }
    const ids = (await page.getMany()).map((a) => a.id);
    if (ids.length === 0) {
      return { lastKey: after, reencrypted: 0, unreadable: 0, done: true };
    }
    const stale = manager
      .createQueryBuilder(CrmAttachment, 'a')
      .where('a.accountId = :accountId', { accountId })
      .andWhere('a.id IN (:...ids)', { ids })
      .andWhere('a.encrypted = :encrypted', { encrypted: true })
      .andWhere('a.keyVersion < :targetVersion', { targetVersion });
    if (manager.connection.options.type === 'postgres') {
      stale.setLock('pessimistic_write');
    }
    let reencrypted = 0;
    let unreadable = 0;
    for (const attachment of await stale.getMany()) {
      const stream = await this.storage.get(attachment.storageKey);
      try {
        if (!stream) {
          throw new EnvelopeError('malformed');
        }
        const plaintext = openAttachment(cipher, attachment, await readAll(stream));
        // Sealed again where the row says: with the record and the property that holds it now.
        await this.storage.put(
          attachment.storageKey,
          sealAttachment(cipher, attachment, plaintext),
        );
      } catch (error) {
        if (!(error instanceof EnvelopeError)) {
          throw error;
        }
        logger.error(
          `Attachment ${attachment.id} does not open (${error.reason}) and keeps its old key.`,
        );
        unreadable += 1;
        continue;
      }
      await manager.update(
        CrmAttachment,
        { id: attachment.id },
        { keyVersion: cipher.activeVersion },
      );
      reencrypted += 1;
    }
    return {
      lastKey: ids[ids.length - 1],
      reencrypted,
      unreadable,
      done: ids.length < limit,
    };
  }

  async countByVersion(manager: EntityManager, accountId: string): Promise<Map<number, number>> {
    const rows = await manager
      .createQueryBuilder(CrmAttachment, 'a')
      .select('a.keyVersion', 'version')
      .addSelect('COUNT(*)', 'count')
      .where('a.accountId = :accountId AND a.encrypted = :encrypted', {
        accountId,
        encrypted: true,
      })
      .groupBy('a.keyVersion')
      .getRawMany<{ version: number | string; count: number | string }>();
    return new Map(rows.map((r) => [Number(r.version), Number(r.count)]));
  }
}
