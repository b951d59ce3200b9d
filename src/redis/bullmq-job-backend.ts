import { Logger } from '@nestjs/common';
import {
  DelayedError,
  Queue,
  UnrecoverableError,
  Worker,
  type Job,
  type JobType,
  type JobsOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import {
  JOB_RETENTION_DAYS,
  JobBackend,
  decodeCursor,
  newId,
  toPage,
  type AbortReason,
  type Actor,
  type ClaimedJob,
  type ExecuteJob,
  type JobState,
  type JobView,
  type NewJob,
  type Page,
  type QueueSettings,
  type QueueStats,
} from '@custos/core';

/** Options of {@link BullJobBackend}. */
export interface BullJobBackendOptions {
  /** `redis://…` of the deployment's Redis. */
  url: string;
  /** Key prefix of every queue (tests isolate themselves with their own). Default `custos`. */
  prefix?: string;
  /** How long a worker's lock on a job lasts without renewal (the stalled-job check runs as often). */
  leaseMs?: number;
}

/** What a BullMQ job carries: the handler's data and whom it runs for. */
interface Envelope {
  data: unknown;
  /** The idempotency key, for the view (the job id is derived from it, one way). */
  key?: string | null;
  accountId: string | null;
  actor: Actor | null;
  /** Attempts allowed, for the view (BullMQ keeps it in the options too). */
  maxAttempts: number;
}

const CANCELLED = 'job.cancelled';
/** Dead jobs are kept longer than completed ones: someone may want to retry them. */
const DEAD_RETENTION_DAYS = 30;
/** Takeovers of a job whose worker vanished before BullMQ declares it dead. */
const MAX_STALLED = 10;
const DAY_S = 86_400;
/** Jobs of each state looked at per queue when listing (BullMQ keeps recent jobs only). */
const LIST_SCAN = 1000;

const STATE_OF: Record<string, JobState> = {
  waiting: 'waiting',
  delayed: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  active: 'active',
  completed: 'completed',
  failed: 'dead',
};
/**
 * In the order jobs move through (a retry's move back to `delayed` aside): the states are read one
 * after the other, so a job that moves on meanwhile is seen again later, never missed, and its
 * last sighting is the one listed.
 */
const LISTED_TYPES: JobType[] = [
  'waiting',
  'delayed',
  'prioritized',
  'active',
  'completed',
  'failed',
];

/**
 * Jobs on BullMQ (Redis), for several instances: every instance works every queue; BullMQ locks
 * each active job and hands a job whose worker stopped renewing its lock (a killed instance, or
 * an event loop blocked longer than the lease) to another worker. Schedules are BullMQ job
 * schedulers, one next run per scheduler for the whole deployment. Failures are stored as their
 * code alone (no message, no stack). Cancellation is a Redis key every worker checks.
 */
export class BullJobBackend extends JobBackend {
  /** Redis is not the database: `Jobs` adds a job enqueued in a transaction after its commit. */
  readonly joinsTransactions = false;
  private readonly logger = new Logger(BullJobBackend.name);
  private readonly connection: Redis;
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly queues = new Map<string, Queue<Envelope>>();
  private readonly workers: Worker<Envelope>[] = [];
  private readonly running = new Map<string, AbortController>();
  /** Period length of each schedule, by name. */
  private readonly periods = new Map<string, number>();
  private cancelTimer: NodeJS.Timeout | undefined;
  /** Set by `stop`: a job the worker fetched meanwhile starts aborted and goes back to the queue. */
  private stopping = false;

  constructor(options: BullJobBackendOptions) {
    super();
    this.prefix = options.prefix ?? 'custos';
    this.leaseMs = options.leaseMs ?? 30_000;
    // Workers need commands that wait for Redis, however long: no per-request retry limit.
    this.connection = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: true });
    this.connection.on('error', (error: Error) =>
      this.logger.warn(`Redis connection error: ${error.message}`),
    );
  }

  async add(job: NewJob): Promise<JobView> {
    const queue = this.queue(job.name);
    const id = job.key === null ? newId() : keyedId(job.name, job.key);
    await this.connection.sadd(this.namesKey, job.name);
    const envelope: Envelope = {
      data: job.data ?? null,
      key: job.key,
      accountId: job.accountId,
      actor: job.actor,
      maxAttempts: job.maxAttempts,
    };
    // The same jobId while a job is kept returns that job: the idempotency key.
    const added = await queue.add(job.name, envelope, {
      ...this.jobOptions(job.maxAttempts, job.backoffMs),
      jobId: id,
      delay: job.delayMs,
    });
    return this.viewOf(added, await added.getState());
  }

  async start(queues: readonly QueueSettings[], execute: ExecuteJob): Promise<void> {
    await this.connection.sadd(this.namesKey, ...queues.map((q) => q.name));
    for (const settings of queues) {
      const queue = this.queue(settings.name);
      if (settings.everyMs) {
        this.periods.set(settings.name, settings.everyMs);
        await queue.upsertJobScheduler(
          settings.name,
          // The first run at the end of the current period, as on the database backend.
          {
            every: settings.everyMs,
            startDate: (Math.floor(Date.now() / settings.everyMs) + 1) * settings.everyMs,
          },
          {
            name: settings.name,
            data: { data: {}, accountId: null, actor: null, maxAttempts: settings.attempts },
            opts: this.jobOptions(settings.attempts, settings.backoffMs),
          },
        );
      }
      const worker = new Worker<Envelope>(
        settings.name,
        (job, token) => this.process(job, token, execute),
        {
          // Shown as the job's `processedBy`: which instance runs it.
          name: `${hostname()}:${process.pid}`,
          connection: this.connection,
          prefix: this.prefix,
          concurrency: settings.concurrency,
          lockDuration: this.leaseMs,
          stalledInterval: this.leaseMs,
          maxStalledCount: MAX_STALLED,
        },
      );
      worker.on('error', (error) => this.logger.error({ err: error }, 'Job worker error'));
      worker.on('lockRenewalFailed', (ids) => {
        for (const id of ids) {
          this.running.get(id)?.abort('lease_lost' satisfies AbortReason);
        }
      });
      this.workers.push(worker);
    }
    this.cancelTimer = setInterval(() => void this.checkCancellations(), 500);
    this.cancelTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.cancelTimer);
    for (const controller of this.running.values()) {
      controller.abort('shutdown' satisfies AbortReason);
    }
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    if (this.connection.status === 'ready') {
      await this.connection.quit();
    } else {
      this.connection.disconnect();
    }
  }

  async retireSchedulesExcept(names: readonly string[]): Promise<void> {
    for (const name of await this.connection.smembers(this.namesKey)) {
      if (!names.includes(name)) {
        // Also removes the scheduler's next (delayed) job. A no-op for plain queues.
        await this.queue(name).removeJobScheduler(name);
      }
    }
  }

  async unfinishedNames(): Promise<string[]> {
    const names = await this.connection.smembers(this.namesKey);
    const unfinished: string[] = [];
    for (const name of names) {
      const counts = await this.queue(name).getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
      );
      if (Object.values(counts).some((count) => count > 0)) {
        unfinished.push(name);
      }
    }
    return unfinished;
  }

  async find(id: string): Promise<JobView | null> {
    for (let read = 1; ; read += 1) {
      const job = await this.job(id);
      if (!job) {
        return null;
      }
      const state = await job.getState();
      // Two reads: a job that finished in between has a finished state but the hash of before
      // (no `finishedOn`, no failure code yet), so it is read again. BullMQ sets both at once.
      if (!['completed', 'failed'].includes(state) || job.finishedOn || read === 3) {
        return this.viewOf(job, state);
      }
    }
  }

  async list(accountId: string, page: { limit: number; after?: string }): Promise<Page<JobView>> {
    const after = page.after ? decodeCursor(page.after, 2) : undefined;
    const views = new Map<string, JobView>();
    for (const name of await this.connection.smembers(this.namesKey)) {
      const queue = this.queue(name);
      for (const type of LISTED_TYPES) {
        for (const job of await queue.getJobs([type], 0, LIST_SCAN - 1)) {
          if (job?.data && (job.data.accountId === null || job.data.accountId === accountId)) {
            views.set(job.id!, await this.viewOf(job, type));
          }
        }
      }
    }
    const newestFirst = [...views.values()]
      .filter(
        (v) =>
          !after ||
          v.createdAt.getTime() < Number(after[0]) ||
          (v.createdAt.getTime() === Number(after[0]) && v.id < String(after[1])),
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    return toPage(
      newestFirst,
      page.limit,
      (v) => [v.createdAt.getTime(), v.id],
      (v) => v,
    );
  }

  async retry(id: string): Promise<JobView | null> {
    const job = await this.job(id);
    if (!job) {
      return null;
    }
    const state = await job.getState();
    const cancelled = await this.connection.exists(this.cancelKey(id));
    if (state === 'failed') {
      await this.connection.del(this.cancelKey(id));
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } else if (cancelled && STATE_OF[state] === 'waiting') {
      await this.connection.del(this.cancelKey(id));
    } else {
      return null;
    }
    return this.find(id);
  }

  async cancel(id: string): Promise<JobView | null> {
    const view = await this.find(id);
    if (!view || !['waiting', 'active'].includes(view.state)) {
      return null;
    }
    await this.connection.set(this.cancelKey(id), '1', 'EX', DEAD_RETENTION_DAYS * DAY_S);
    // Read before a local abort, so that an active job is seen active, not already over.
    const cancelled = await this.find(id);
    this.running.get(id)?.abort('cancelled' satisfies AbortReason);
    return cancelled;
  }

  /** BullMQ removes finished jobs by age itself (`removeOnComplete`/`removeOnFail`). */
  async prune(): Promise<number> {
    return 0;
  }

  async stats(): Promise<QueueStats[]> {
    const all: QueueStats[] = [];
    for (const name of await this.connection.smembers(this.namesKey)) {
      const queue = this.queue(name);
      const counts = await queue.getJobCounts(
        'waiting',
        'delayed',
        'prioritized',
        'waiting-children',
        'active',
        'failed',
      );
      // The oldest job in the wait list (delayed ones enter it when they fall due).
      const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
      const waiting =
        counts.waiting + counts.delayed + counts.prioritized + counts['waiting-children'];
      all.push({
        queue: name,
        // Cancelled jobs are failed ones with a code of their own: counted as cancelled, not dead.
        counts: {
          waiting,
          active: counts.active,
          dead: await this.deadCount(queue, counts.failed),
        },
        oldestWaitingSince: oldest ? new Date(oldest.timestamp + (oldest.delay ?? 0)) : null,
      });
    }
    return all;
  }

  /** Failed jobs less the cancelled ones (scanned up to LIST_SCAN; usually there are few). */
  private async deadCount(queue: Queue<Envelope>, failed: number): Promise<number> {
    if (failed === 0) {
      return 0;
    }
    const scanned = await queue.getJobs(['failed'], 0, LIST_SCAN - 1);
    const cancelled = scanned.filter((job) => job?.failedReason === CANCELLED).length;
    return failed - cancelled;
  }

  private async process(job: Job<Envelope>, token: string | undefined, execute: ExecuteJob) {
    const id = job.id!;
    const controller = new AbortController();
    if (await this.connection.exists(this.cancelKey(id))) {
      throw new UnrecoverableError(CANCELLED);
    }
    this.running.set(id, controller);
    if (this.stopping) {
      // Fetched while stopping: without this, closing the worker would wait for the whole job.
      controller.abort('shutdown' satisfies AbortReason);
    }
    try {
      const outcome = await execute(this.claimedOf(job), {
        signal: controller.signal,
        progress: (percent) => job.updateProgress(Math.max(0, Math.min(100, Math.round(percent)))),
      });
      switch (outcome.kind) {
        case 'completed':
          return;
        case 'cancelled':
          throw new UnrecoverableError(CANCELLED);
        case 'released':
          // Back to the queue without counting a failed attempt.
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        case 'failed':
          throw outcome.retry ? new Error(outcome.code) : new UnrecoverableError(outcome.code);
      }
    } finally {
      this.running.delete(id);
    }
  }

  /** Aborts this instance's jobs that someone cancelled (through any instance). */
  private async checkCancellations(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) {
      return;
    }
    try {
      const flags = await this.connection.mget(ids.map((id) => this.cancelKey(id)));
      ids.forEach((id, i) => {
        if (flags[i] !== null) {
          this.running.get(id)?.abort('cancelled' satisfies AbortReason);
        }
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'Looking for cancelled jobs failed');
    }
  }

  private claimedOf(job: Job<Envelope>): ClaimedJob {
    const every = this.periods.get(job.name);
    return {
      id: job.id!,
      name: job.name,
      data: job.data.data,
      accountId: job.data.accountId,
      actor: job.data.actor,
      attempt: job.attemptsStarted,
      maxAttempts: job.data.maxAttempts,
      // A scheduler's job id ends with the millisecond of its slot, the end of its period.
      period:
        every && job.id!.startsWith('repeat:')
          ? new Date(Number(job.id!.split(':').at(-1)) - every)
          : null,
    };
  }

  private async viewOf(job: Job<Envelope>, type: string): Promise<JobView> {
    let state = STATE_OF[type] ?? 'waiting';
    if (state === 'dead' && job.failedReason === CANCELLED) {
      state = 'cancelled';
    }
    const cancelRequested =
      state === 'cancelled' || (await this.connection.exists(this.cancelKey(job.id!))) === 1;
    if (state === 'waiting' && cancelRequested) {
      state = 'cancelled'; // taken off by the first worker that sees it
    }
    const finished = state === 'completed' || state === 'dead' || state === 'cancelled';
    return {
      id: job.id!,
      name: job.name,
      key: job.data?.key ?? null,
      accountId: job.data?.accountId ?? null,
      state,
      progress: typeof job.progress === 'number' ? job.progress : null,
      attempts: job.attemptsStarted,
      maxAttempts: job.opts.attempts ?? 1,
      errorCode: state === 'completed' ? null : job.failedReason || null,
      cancelRequested,
      createdAt: new Date(job.timestamp),
      runAt: new Date(job.timestamp + (job.delay ?? 0)),
      startedAt: job.processedOn ? new Date(job.processedOn) : null,
      finishedAt: finished && job.finishedOn ? new Date(job.finishedOn) : null,
    };
  }

  private jobOptions(attempts: number, backoffMs: number): JobsOptions {
    return {
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      stackTraceLimit: 0,
      removeOnComplete: { age: JOB_RETENTION_DAYS * DAY_S },
      removeOnFail: { age: DEAD_RETENTION_DAYS * DAY_S },
    };
  }

  private queue(name: string): Queue<Envelope> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<Envelope>(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** The job of that id in any queue of the deployment. */
  private async job(id: string): Promise<Job<Envelope> | null> {
    for (const name of await this.connection.smembers(this.namesKey)) {
      const job = await this.queue(name).getJob(id);
      if (job) {
        return job;
      }
    }
    return null;
  }

  private get namesKey(): string {
    return `${this.prefix}:custos:queue-names`;
  }

  private cancelKey(id: string): string {
    return `${this.prefix}:custos:cancel:${id}`;
  }
}

/** A UUID-shaped id derived from the queue and idempotency key: the same key, the same job. */
function keyedId(name: string, key: string): string {
  const hex = createHash('sha256').update(`${name}\u0000${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
