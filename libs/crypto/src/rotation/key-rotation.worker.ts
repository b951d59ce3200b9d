import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { In, IsNull, type EntityManager } from 'typeorm';
import {
  Clock,
  Jobs,
  TransactionHost,
  isTransientDatabaseError,
  type JobQueue,
  type RunningJob,
} from '@custos/core';
import { AccountCiphers } from '../cipher/account-ciphers';
import {
  KeyRotationJob,
  UNFINISHED_ROTATION_STATUSES,
  rotationEventOf,
} from './key-rotation.entity';
import {
  DEFAULT_ROTATION_BATCH_SIZE,
  KEY_ROTATION_MODULE_OPTIONS,
  type KeyRotationModuleOptions,
} from './key-rotation.module-definition';
import { KeyRotationRegistry } from './key-rotation.registry';

/**
 * Passes after which values still turning up on older keys mean something is wrong (a source
 * whose writes do not stick, or a writer that keeps old keys): the rotation fails instead of
 * looping. Requests that loaded the keys before the rotation are through long before.
 */
const MAX_PASSES = 10;

/** Tries of a batch the database aborted for a reason that passes. */
const BATCH_ATTEMPTS = 5;

/** The job queue of rotations: one job per rotation, keyed by its id. */
export const KEY_ROTATION_QUEUE = 'crypto.key_rotation';

/**
 * Runs rotations in the background, one at a time, batch by batch. Each batch is one
 * transaction that locks the job, lets one source rewrite its next rows and advances the job's
 * position and counters: after a crash at any instant either the batch and its position are
 * committed or neither is, and the job resumes exactly there on whichever instance takes the job
 * over (a `Jobs` queue: after a restart, or once the lease of a killed instance expires).
 * When the last source is through, passes repeat until one re-encrypts nothing — values sealed
 * meanwhile by requests that loaded the keys before the rotation are caught that way.
 */
@Injectable()
export class KeyRotationWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(KeyRotationWorker.name);
  private readonly queue: JobQueue<{ rotationId: string }>;
  private readonly batchSize: number;

  constructor(
    private readonly transactions: TransactionHost,
    jobs: Jobs,
    private readonly ciphers: AccountCiphers,
    private readonly registry: KeyRotationRegistry,
    private readonly clock: Clock,
    @Inject(KEY_ROTATION_MODULE_OPTIONS) options: KeyRotationModuleOptions,
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_ROTATION_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error(
        `KeyRotationModule batchSize must be a positive integer, got ${this.batchSize}.`,
      );
    }
    this.queue = jobs.createQueue({
      name: KEY_ROTATION_QUEUE,
      process: (job) => this.run(job),
    });
  }

  /**
   * Makes sure every unfinished rotation has its job (a rotation whose enqueue did not follow its
   * commit, e.g. a crash in between); the key makes this a no-op for the others.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.resumeUnfinished();
  }

  /** Queues every unfinished rotation of every account; returns how many there are. */
  async resumeUnfinished(): Promise<number> {
    const unfinished = await this.transactions.manager.find(KeyRotationJob, {
      select: { id: true, accountId: true },
      where: { status: In([...UNFINISHED_ROTATION_STATUSES]) },
      order: { startedAt: 'ASC' },
    });
    for (const { id, accountId } of unfinished) {
      await this.enqueue(id, accountId);
    }
    return unfinished.length;
  }

  /** Queues a rotation (once: the job is keyed by the rotation). */
  async enqueue(id: string, accountId: string): Promise<void> {
    await this.queue.enqueue({ rotationId: id }, { key: id, accountId });
  }

  /** Runs as the account's system actor; returns between batches once the job is aborted. */
  private async run({ data, signal }: RunningJob<{ rotationId: string }>): Promise<void> {
    const id = data.rotationId;
    const job = await this.transactions.manager.findOneBy(KeyRotationJob, { id });
    if (!job || !UNFINISHED_ROTATION_STATUSES.includes(job.status)) {
      return;
    }
    try {
      if (job.totalEstimate === null) {
        await this.estimate(job);
      }
      while (!signal.aborted && (await this.stepWithRetries(id))) {
        // Let requests and the lease renewal in between batches: with SQLite every query completes synchronously.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.logger.error({ err: error, rotationId: id }, 'Key rotation stopped by an error');
      await this.fail(
        id,
        `The rotation stopped at an unexpected error; every value still opens with its key. Quote rotation id ${id} when reporting it, and start a new rotation to finish the work.`,
      );
    }
  }

  /** Counts the values on older versions (outside the batch transactions: it is a scan). */
  private async estimate(job: KeyRotationJob): Promise<void> {
    let total = 0;
    for (const source of this.registry.sources) {
      for (const [version, values] of await source.countByVersion(
        this.transactions.manager,
        job.accountId,
      )) {
        if (version < job.targetVersion) {
          total += values;
        }
      }
    }
    await this.transactions.run((manager) =>
      manager.update(
        KeyRotationJob,
        { id: job.id, totalEstimate: IsNull() },
        { totalEstimate: total },
      ),
    );
  }

  private async stepWithRetries(id: string): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.step(id);
      } catch (error) {
        if (attempt >= BATCH_ATTEMPTS || !isTransientDatabaseError(error)) {
          throw error;
        }
        this.logger.warn({ rotationId: id, attempt }, 'Key rotation batch retried');
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** One batch in one transaction; `false` once the rotation is over. */
  private step(id: string): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const job = await this.lock(manager, id);
      if (!job || !UNFINISHED_ROTATION_STATUSES.includes(job.status)) {
        return false;
      }
      const sources = this.registry.sources;
      let index = job.source === null ? 0 : sources.findIndex((s) => s.name === job.source);
      let after = job.cursor;
      if (index === -1) {
        // The source is no longer registered: go on with the next one by name.
        const position = sources.findIndex((s) => s.name > job.source!);
        index = position === -1 ? sources.length : position;
        after = null;
      }
      job.updatedAt = this.clock.now();
      if (index < sources.length) {
        const result = await sources[index].reencryptBatch({
          manager,
          accountId: job.accountId,
          cipher: await this.ciphers.forAccount(job.accountId),
          targetVersion: job.targetVersion,
          after,
          limit: this.batchSize,
        });
        job.processed += result.reencrypted;
        job.passReencrypted += result.reencrypted;
        job.unreadable += result.unreadable;
        if (!result.done) {
          job.source = sources[index].name;
          job.cursor = result.lastKey;
          await this.save(manager, job);
          return true;
        }
        index += 1;
        job.source = sources[index]?.name ?? null;
        job.cursor = null;
        if (index < sources.length) {
          await this.save(manager, job);
          return true;
        }
      }
      return this.endPass(manager, job);
    });
  }

  /** A pass is through: complete if it re-encrypted nothing, else verify with another pass. */
  private async endPass(manager: EntityManager, job: KeyRotationJob): Promise<boolean> {
    job.source = null;
    job.cursor = null;
    if (job.passReencrypted === 0) {
      job.status = 'completed';
      job.finishedAt = job.updatedAt;
      await this.save(manager, job);
      for (const listener of this.registry.listeners) {
        await listener.completed?.(rotationEventOf(job), manager);
      }
      this.logger.log(
        { rotationId: job.id, processed: job.processed, passes: job.pass },
        'Key rotation completed',
      );
      return false;
    }
    if (job.pass >= MAX_PASSES) {
      job.status = 'failed';
      job.finishedAt = job.updatedAt;
      job.error = `Values on older keys were still found after ${MAX_PASSES} passes; every value still opens with its key. A rotation source may not store what it re-encrypts: check the registered sources, then start a new rotation.`;
      await this.save(manager, job);
      this.logger.error({ rotationId: job.id }, 'Key rotation failed: it does not converge');
      return false;
    }
    job.status = 'verifying';
    job.pass += 1;
    job.passReencrypted = 0;
    job.unreadable = 0;
    await this.save(manager, job);
    return true;
  }

  private async save(manager: EntityManager, job: KeyRotationJob): Promise<void> {
    const { id, ...changes } = job;
    await manager.update(KeyRotationJob, { id }, changes);
  }

  private async fail(id: string, error: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const job = await this.lock(manager, id);
      if (!job || !UNFINISHED_ROTATION_STATUSES.includes(job.status)) {
        return;
      }
      const now = this.clock.now();
      await manager.update(
        KeyRotationJob,
        { id },
        { status: 'failed', error, updatedAt: now, finishedAt: now },
      );
    });
  }

  /** Locks the job's row (PostgreSQL; SQLite transactions are serialised). */
  private lock(manager: EntityManager, id: string): Promise<KeyRotationJob | null> {
    const builder = manager.createQueryBuilder(KeyRotationJob, 'j').where('j.id = :id', { id });
    if (this.transactions.isPostgres) {
      builder.setLock('pessimistic_write');
    }
    return builder.getOne();
  }
}
