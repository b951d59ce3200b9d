import type { Actor } from '../context/actor';
import { CustosError } from '../errors/custos-error';

/**
 * `waiting`: queued, or waiting for its next attempt (`runAt`); `active`: a worker holds it;
 * `completed`; `dead`: its last attempt failed (see `errorCode`); `cancelled`.
 */
export const JOB_STATES = ['waiting', 'active', 'completed', 'dead', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job as operations see it: never its data (which may name records), only its bookkeeping. */
export interface JobView {
  id: string;
  name: string;
  /** Its idempotency key (`EnqueueOptions.key`: the id of what it works on), if it has one. */
  key: string | null;
  /** The account the job works for; `null` for deployment-wide work (schedules). */
  accountId: string | null;
  state: JobState;
  /** Percent done as the handler last reported it; `null` before its first report. */
  progress: number | null;
  /** Attempts started so far (a takeover after a lost lease is an attempt). */
  attempts: number;
  maxAttempts: number;
  /** Code of the last failure (`CustosError.code`, or `job.unexpected_error`): never a message. */
  errorCode: string | null;
  cancelRequested: boolean;
  createdAt: Date;
  /** When it may run next (after a backoff or a delay). */
  runAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What a handler gets: the job's data and its controls. */
export interface RunningJob<T> {
  readonly id: string;
  readonly data: T;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly accountId: string | null;
  /**
   * For a schedule's run: the start of the period it runs for (it runs once that period is
   * over). `null` for enqueued jobs.
   */
  readonly period: Date | null;
  /**
   * Aborted when the job is cancelled, when this instance shuts down, or when its lease was lost.
   * Long handlers check it between batches and return: the job resumes (or ends) from what they
   * committed. Handlers must be idempotent: a job may run again after a crash.
   */
  readonly signal: AbortSignal;
  /** Reports percent done (0–100); also renews the lease on the embedded backend. */
  progress(percent: number): Promise<void>;
}

/** A queue: its name, handler and retry policy. */
export interface QueueDefinition<T> {
  /** Dotted and namespaced by feature: `crypto.key_rotation`. */
  name: string;
  process: (job: RunningJob<T>) => Promise<void>;
  /** Attempts before the job is dead. Default 3. */
  attempts?: number;
  /** Delay before the second attempt, doubled for each further one. Default 1000 ms. */
  backoffMs?: number;
  /** Jobs of this queue one instance runs at once. Default 1. */
  concurrency?: number;
  /**
   * Called by `Jobs.cancel` when it cancels a job that was waiting: `process` never runs for it
   * (unless it is retried), so this ends what the job was for (an import left pending). Runs in
   * the cancelling request; must be idempotent and check in SQL that the work is still unstarted
   * (on BullMQ a cancel racing a worker's take-over may also see the job's handler end).
   */
  cancelled?: (job: JobView) => Promise<void>;
}

/** A periodic task: runs once per period per deployment, whatever the number of instances. */
export interface ScheduleDefinition extends Omit<
  QueueDefinition<Record<string, never>>,
  'concurrency'
> {
  /**
   * Length of the period; periods are aligned to the epoch and a period's run is due at its end
   * (an hourly task runs at each full hour, whenever the instances started).
   */
  everySeconds: number;
}

/** How to enqueue a job. */
export interface EnqueueOptions {
  /**
   * Idempotency key: while a job of the queue with this key is kept, enqueuing again returns it
   * instead of adding another.
   */
  key?: string;
  /** The account the job works for: it runs in that account's context and is listed there. */
  accountId?: string;
  /** Runs as this actor (of `accountId`); default the account's system actor. */
  actor?: Actor;
  /** Runs no earlier than this many milliseconds from now. */
  delayMs?: number;
}

/** A queue handle, from `Jobs.createQueue`. */
export interface JobQueue<T> {
  readonly name: string;
  /**
   * Adds a job (or returns the one with the same key). Inside a transaction, a rolled-back change
   * enqueues nothing: the embedded backend joins the transaction; a backend that cannot (BullMQ)
   * gets the job once the transaction has committed, and `enqueue` then returns `null`. Were
   * that add to fail (Redis down, a crash right after the commit), the job is missing: features
   * re-enqueue their unfinished work at start under the same key.
   */
  enqueue(data: T, options?: EnqueueOptions): Promise<JobView | null>;
}

/** The error code a failure is recorded with: a `CustosError`'s code, else a generic one. */
export function errorCodeOf(error: unknown): string {
  return error instanceof CustosError ? error.code : 'job.unexpected_error';
}

/**
 * Whether another attempt may help: a `CustosError` other than `unavailable` is a decision
 * (invalid input, a conflict) that a retry repeats, so the job is dead at once.
 */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof CustosError) || error.kind === 'unavailable';
}

/** Delay before attempt `attempt + 1` after attempt `attempt` failed. */
export function backoffDelay(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** Math.max(0, attempt - 1);
}
