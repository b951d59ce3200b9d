import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { Clock, CustosError, TransactionHost, newId } from '@custos/core';
import { DataKeyRecord } from '../keys/data-key.entity';
import { KeyRing } from '../keys/key-ring';
import {
  KeyRotationJob,
  UNFINISHED_ROTATION_STATUSES,
  rotationEventOf,
} from './key-rotation.entity';
import { KeyRotationRegistry } from './key-rotation.registry';
import { KeyRotationWorker } from './key-rotation.worker';

/** One data-key version of an account and how many values it sealed. */
export interface KeyVersionUsage {
  version: number;
  active: boolean;
  createdAt: Date;
  /** Values sealed with it, counted now across every registered source. */
  values: number;
}

/** An account's data keys, their use, and its latest rotation. */
export interface EncryptionKeysStatus {
  /** Version new values are sealed with; `null` before the account's first key. */
  activeVersion: number | null;
  versions: KeyVersionUsage[];
  /** The current or last rotation; `null` if there was none. */
  rotation: KeyRotationJob | null;
}

/**
 * Rotates an account's data key: a new version becomes active at once (new values are sealed
 * with it) and {@link KeyRotationWorker} re-encrypts, in the background, every value the
 * registered sources hold on older versions. Older keys stay: every value opens at every moment.
 */
@Injectable()
export class KeyRotationService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly keyRing: KeyRing,
    private readonly registry: KeyRotationRegistry,
    private readonly worker: KeyRotationWorker,
    private readonly clock: Clock,
  ) {}

  /**
   * Makes a new data-key version and starts re-encrypting (409 `crypto.rotation_running` while
   * a rotation of the account is unfinished). Call it outside a transaction: the worker picks the
   * job up once it is committed.
   */
  async start(accountId: string, startedBy: string): Promise<KeyRotationJob> {
    const job = await this.transactions.run(async (manager) => {
      await this.keyRing.activeDataKey(accountId);
      await this.lockKeys(manager, accountId);
      const running = await manager.findOne(KeyRotationJob, {
        where: { accountId, status: In([...UNFINISHED_ROTATION_STATUSES]) },
      });
      if (running) {
        throw new CustosError(
          'conflict',
          'crypto.rotation_running',
          `A key rotation of this account is already running (id ${running.id}); wait until it completes, then start another one.`,
        );
      }
      const targetVersion = await this.keyRing.rotate(accountId);
      const now = this.clock.now();
      const created: KeyRotationJob = {
        id: newId(),
        accountId,
        targetVersion,
        status: 'running',
        source: null,
        cursor: null,
        pass: 1,
        passReencrypted: 0,
        processed: 0,
        totalEstimate: null,
        unreadable: 0,
        startedBy,
        error: null,
        startedAt: now,
        updatedAt: now,
        finishedAt: null,
      };
      await manager.insert(KeyRotationJob, created);
      for (const listener of this.registry.listeners) {
        await listener.started?.(rotationEventOf(created), manager);
      }
      return created;
    });
    await this.worker.enqueue(job.id, accountId);
    return job;
  }

  /** The account's key versions with the values each sealed (a scan of every source), and its latest rotation. */
  async status(accountId: string): Promise<EncryptionKeysStatus> {
    const manager = this.transactions.manager;
    const keys = await manager.find(DataKeyRecord, {
      where: { accountId, purpose: 'data' },
      order: { version: 'ASC' },
    });
    const counts = new Map<number, number>();
    for (const source of this.registry.sources) {
      for (const [version, values] of await source.countByVersion(manager, accountId)) {
        counts.set(version, (counts.get(version) ?? 0) + values);
      }
    }
    const actives = keys.filter((k) => k.active);
    const rotation = await manager.findOne(KeyRotationJob, {
      where: { accountId },
      order: { startedAt: 'DESC', targetVersion: 'DESC' },
    });
    return {
      activeVersion: actives.length > 0 ? Math.max(...actives.map((k) => k.version)) : null,
      versions: keys.map((k) => ({
        version: k.version,
        active: k.active,
        createdAt: k.createdAt,
        values: counts.get(k.version) ?? 0,
      })),
      rotation,
    };
  }

  /** Serialises rotations of an account (PostgreSQL; SQLite transactions are serialised). */
  private async lockKeys(manager: EntityManager, accountId: string): Promise<void> {
    if (!this.transactions.isPostgres) {
      return;
    }
    await manager
      .createQueryBuilder(DataKeyRecord, 'k')
      .where('k.account_id = :accountId', { accountId })
      .andWhere("k.purpose = 'data'")
      .setLock('pessimistic_write')
      .getMany();
  }
}
