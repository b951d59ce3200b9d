import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { Clock } from '../clock';
import { systemActor } from '../context/actor';
import { RequestContext } from '../context/request-context';
import { TransactionHost } from '../database/transaction-host';
import { PRIVILEGE_RESOLVER, type PrivilegeResolver } from '../policy/privilege-resolver';
import { CustosError } from '../errors/custos-error';
import type { Page } from '../pagination/pagination';
import {
  errorCodeOf,
  isRetryable,
  type EnqueueOptions,
  type JobQueue,
  type JobView,
  type QueueDefinition,
  type ScheduleDefinition,
} from './job';
import {
  JobBackend,
  type ClaimedJob,
  type ExecuteJob,
  type JobOutcome,
  type NewJob,
  type QueueSettings,
  type QueueStats,
} from './job-backend';

/** Injection token of the {@link JobBackend} that `Jobs` runs on. */
export const JOB_BACKEND = Symbol('custos:job-backend');

/** Completed and cancelled jobs are kept this long (for idempotency keys and operations). */
export const JOB_RETENTION_DAYS = 7;

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 1000;
const PRUNE_QUEUE = 'jobs.prune';

interface Registered {
  settings: QueueSettings;
  process: QueueDefinition<unknown>['process'];
  cancelled: QueueDefinition<unknown>['cancelled'];
}

/**
 * Durable background jobs and schedules for every lib and feature. Register queues (in a
 * constructor or `onModuleInit`) with {@link createQueue} or {@link schedule}; they run once the
 * application has started. A job found waiting at start whose name has no handler stops the start.
 * Each handler runs in a fresh request context: as the job's actor when it has an account, with the
 * super-admin standing that actor holds when the job runs (`PrivilegeResolver.current`).
 */
@Injectable()
export class Jobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Jobs.name);
  private readonly queues = new Map<string, Registered>();
  private started = false;
  private readonly failureListeners: ((queue: string, dead: boolean) => void)[] = [];
  /** Adds after a commit still on their way to the backend. */
  private readonly adding = new Set<Promise<unknown>>();

  constructor(
    @Inject(JOB_BACKEND) private readonly backend: JobBackend,
    private readonly context: RequestContext,
    private readonly cls: ClsService,
    private readonly clock: Clock,
    private readonly transactions: TransactionHost,
    @Inject(PRIVILEGE_RESOLVER) private readonly privileges: PrivilegeResolver,
  ) {}

  /** Registers a queue and its handler; returns the handle to enqueue with. */
  createQueue<T>(definition: QueueDefinition<T>): JobQueue<T> {
    const settings = this.register(definition as QueueDefinition<unknown>);
    return {
      name: definition.name,
      enqueue: (data: T, options: EnqueueOptions = {}) => {
        if (options.actor && options.actor.accountId !== options.accountId) {
          throw new Error(`Job ${definition.name}: the actor must belong to accountId.`);
        }
        return this.add({
          name: definition.name,
          key: options.key ?? null,
          accountId: options.accountId ?? null,
          actor: options.actor ?? null,
          data,
          maxAttempts: settings.attempts,
          backoffMs: settings.backoffMs,
          delayMs: options.delayMs ?? 0,
        });
      },
    };
  }

  /**
   * Adds the job now when the backend joins the transaction (or none is open); else once the
   * transaction commits, so that a worker never sees a job whose change rolled back (or has not
   * committed yet).
   */
  private async add(job: NewJob): Promise<JobView | null> {
    if (this.backend.joinsTransactions || !this.transactions.inTransaction) {
      return this.backend.add(job);
    }
    this.transactions.afterCommit(() => {
      const adding = this.backend
        .add(job)
        .catch((error: unknown) =>
          this.logger.error(
            { err: error, job: job.name },
            'A job could not be added after its transaction committed',
          ),
        )
        .finally(() => this.adding.delete(adding));
      this.adding.add(adding);
    });
    return null;
  }

  /** Registers a periodic task: one run per period for the whole deployment. */
  schedule(definition: ScheduleDefinition): void {
    if (!Number.isInteger(definition.everySeconds) || definition.everySeconds < 1) {
      throw new Error(
        `Schedule ${definition.name}: everySeconds must be a positive integer, got ${definition.everySeconds}.`,
      );
    }
    this.register({ ...definition, concurrency: 1 } as QueueDefinition<unknown>).everyMs =
      definition.everySeconds * 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.queues.size === 0) {
      return; // nothing registered: an app without background work needs no job table
    }
    this.schedule({
      name: PRUNE_QUEUE,
      everySeconds: 3600,
      process: async () => {
        const before = new Date(this.clock.now().getTime() - JOB_RETENTION_DAYS * 86_400_000);
        await this.backend.prune(before);
      },
    });
    await this.backend.retireSchedulesExcept(
      [...this.queues.values()].filter((q) => q.settings.everyMs).map((q) => q.settings.name),
    );
    const missing = (await this.backend.unfinishedNames()).filter((n) => !this.queues.has(n));
    if (missing.length > 0) {
      throw new Error(
        `Jobs are waiting for ${missing.map((n) => `"${n}"`).join(', ')} but no handler is registered under that name: register the queue (Jobs.createQueue) or cancel those jobs.`,
      );
    }
    this.started = true;
    await this.backend.start(
      [...this.queues.values()].map((q) => q.settings),
      this.execute,
    );
  }

  /** Lets running handlers return (their signal is aborted); their jobs run again later. */
  async beforeApplicationShutdown(): Promise<void> {
    // Jobs of committed changes first: the backend's connection closes with `stop`.
    await Promise.all(this.adding);
    await this.backend.stop();
  }

  /** A job by id, or a 404. */
  async get(id: string): Promise<JobView> {
    return (await this.backend.find(id)) ?? notFound(id);
  }

  /** The account's jobs and the deployment-wide ones, newest first. */
  list(accountId: string, page: { limit: number; after?: string }): Promise<Page<JobView>> {
    return this.backend.list(accountId, page);
  }

  /** Runs a dead or cancelled job again, with fresh attempts (409 in another state). */
  async retry(id: string): Promise<JobView> {
    await this.get(id);
    return (
      (await this.backend.retry(id)) ??
      conflict('core.job_not_retryable', 'Only a dead or cancelled job can be retried.')
    );
  }

  /**
   * Cancels a waiting job (its queue's `cancelled` is called); asks an active one to stop between
   * its batches (409 once over).
   */
  async cancel(id: string): Promise<JobView> {
    await this.get(id);
    const view =
      (await this.backend.cancel(id)) ??
      conflict('core.job_not_cancellable', 'The job is over: it can no longer be cancelled.');
    // An active job stays `active` until its handler returns: only a waiting one is over now.
    if (view.state === 'cancelled') {
      await this.queues.get(view.name)?.cancelled?.(view);
    }
    return view;
  }

  /** What every queue of the deployment holds now (metrics). */
  stats(): Promise<QueueStats[]> {
    return this.backend.stats();
  }

  /** Calls `listener` for each failed attempt on this instance; `dead` when it is not retried. */
  onFailure(listener: (queue: string, dead: boolean) => void): void {
    this.failureListeners.push(listener);
  }

  private register(definition: QueueDefinition<unknown>): QueueSettings {
    if (this.started) {
      throw new Error(
        `Queue ${definition.name} is registered after the start: register it in a constructor or onModuleInit.`,
      );
    }
    if (this.queues.has(definition.name)) {
      throw new Error(`Queue ${definition.name} is registered twice.`);
    }
    const settings: QueueSettings = {
      name: definition.name,
      attempts: definition.attempts ?? DEFAULT_ATTEMPTS,
      backoffMs: definition.backoffMs ?? DEFAULT_BACKOFF_MS,
      concurrency: definition.concurrency ?? 1,
    };
    for (const [option, value] of Object.entries(settings)) {
      if (option !== 'name' && (!Number.isInteger(value) || (value as number) < 1)) {
        throw new Error(
          `Queue ${definition.name}: ${option} must be a positive integer, got ${String(value)}.`,
        );
      }
    }
    this.queues.set(definition.name, {
      settings,
      process: definition.process,
      cancelled: definition.cancelled,
    });
    return settings;
  }

  private execute: ExecuteJob = (job, control) =>
    // Outside whatever context the backend's loop was started from: each job gets its own.
    this.cls.exit(() => this.cls.run(() => this.runInContext(job, control)));

  private async runInContext(
    job: ClaimedJob,
    control: Parameters<ExecuteJob>[1],
  ): Promise<JobOutcome> {
    if (control.signal.aborted) {
      // Stopped before it began (a backend shutting down): back to the queue, not run.
      return control.signal.reason === 'cancelled' ? { kind: 'cancelled' } : { kind: 'released' };
    }
    const { process } = this.queues.get(job.name)!;
    const run = () =>
      process({
        id: job.id,
        data: job.data,
        attempt: job.attempt,
        accountId: job.accountId,
        period: job.period,
        signal: control.signal,
        progress: control.progress,
      });
    try {
      if (job.accountId) {
        // The job keeps who enqueued it as they were then; it runs as they stand now.
        const actor = job.actor ? await this.privileges.current(job.actor) : null;
        await this.context.runAs(actor ?? systemActor(job.accountId), run, {
          requestId: job.id,
        });
      } else {
        this.cls.set('requestId', job.id);
        await run();
      }
    } catch (error) {
      if (!control.signal.aborted) {
        const code = errorCodeOf(error);
        const retry = isRetryable(error) && job.attempt < job.maxAttempts;
        this.logger.error(
          { err: error, jobId: job.id, job: job.name, attempt: job.attempt, code },
          retry ? 'Job attempt failed; it will be retried' : 'Job failed; it is dead',
        );
        this.failureListeners.forEach((listener) => listener(job.name, !retry));
        return { kind: 'failed', code, retry };
      }
    }
    if (control.signal.aborted) {
      return control.signal.reason === 'cancelled' ? { kind: 'cancelled' } : { kind: 'released' };
    }
    return { kind: 'completed' };
  }
}

function notFound(id: string): never {
  throw new CustosError('not_found', 'core.job_not_found', `There is no job ${id}.`);
}

function conflict(code: string, detail: string): never {
  throw new CustosError('conflict', code, detail);
}
