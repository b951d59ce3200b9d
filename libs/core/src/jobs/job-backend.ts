import type { Actor } from '../context/actor';
import type { Page } from '../pagination/pagination';
import type { JobView } from './job';

/** A queue as the backend runs it. */
export interface QueueSettings {
  name: string;
  attempts: number;
  backoffMs: number;
  concurrency: number;
  /** Set for a schedule: the backend enqueues one run per period of this length. */
  everyMs?: number;
}

/** What a queue holds now, for metrics: jobs by state, and the oldest due waiting job. */
export interface QueueStats {
  queue: string;
  /** Waiting (delayed ones included), active and dead jobs; other states are not counted. */
  counts: Record<'waiting' | 'active' | 'dead', number>;
  /** When the longest-waiting due job became due; `null` when none waits. */
  oldestWaitingSince: Date | null;
}

/** A job to add. */
export interface NewJob {
  name: string;
  key: string | null;
  accountId: string | null;
  actor: Actor | null;
  data: unknown;
  maxAttempts: number;
  backoffMs: number;
  delayMs: number;
}

/** A job a worker of this instance holds. */
export interface ClaimedJob {
  id: string;
  name: string;
  data: unknown;
  accountId: string | null;
  actor: Actor | null;
  attempt: number;
  maxAttempts: number;
  period: Date | null;
}

/** Why a running job's signal was aborted. */
export type AbortReason = 'cancelled' | 'shutdown' | 'lease_lost';

/** How a run ended, for the backend to record. */
export type JobOutcome =
  | { kind: 'completed' }
  | { kind: 'failed'; code: string; retry: boolean }
  | { kind: 'cancelled' }
  /** Stopped for a shutdown or a lost lease: not an attempt that failed; runs again. */
  | { kind: 'released' };

/** Runs a claimed job's handler; the backend gives the signal and records progress. */
export type ExecuteJob = (
  job: ClaimedJob,
  control: { signal: AbortSignal; progress: (percent: number) => Promise<void> },
) => Promise<JobOutcome>;

/**
 * Where jobs are kept and how workers take them: the database (default) or a distributed
 * queue. `Jobs` holds the handlers and runs them; a backend stores, claims, retries and
 * recovers jobs, and enqueues one run of each schedule per period for the whole deployment.
 */
export abstract class JobBackend {
  /**
   * Whether `add` joins the caller's database transaction (the job exists only if it commits).
   * When not, `Jobs` adds a job enqueued inside a transaction only once that transaction commits.
   */
  abstract readonly joinsTransactions: boolean;
  /** Adds a job, or returns the kept job of the same name and key. */
  abstract add(job: NewJob): Promise<JobView>;
  /** Begins working the queues (and their schedules) on this instance. */
  abstract start(queues: readonly QueueSettings[], execute: ExecuteJob): Promise<void>;
  /** Takes no more jobs; aborts the running ones with `shutdown` and waits for them. */
  abstract stop(): Promise<void>;
  /**
   * Stops the schedules not in `names` (a task turned off, or removed): their pending runs are
   * dropped, so they neither run nor stop the start.
   */
  abstract retireSchedulesExcept(names: readonly string[]): Promise<void>;
  /** Names of waiting or active jobs (to find those without a handler at start). */
  abstract unfinishedNames(): Promise<string[]>;
  abstract find(id: string): Promise<JobView | null>;
  /** Newest first; the account's jobs and the deployment-wide ones. */
  abstract list(accountId: string, page: { limit: number; after?: string }): Promise<Page<JobView>>;
  /** A dead or cancelled job back to waiting with fresh attempts; `null` if it is in another state. */
  abstract retry(id: string): Promise<JobView | null>;
  /** Cancels a waiting job, or asks an active one to stop; `null` once it is over. */
  abstract cancel(id: string): Promise<JobView | null>;
  /** Forgets completed and cancelled jobs that finished before `before`; returns how many. */
  abstract prune(before: Date): Promise<number>;
  /** Every queue of the deployment that has waiting, active or dead jobs. */
  abstract stats(): Promise<QueueStats[]>;
}
