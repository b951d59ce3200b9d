import { Logger } from '@nestjs/common';
import type { ClsService } from 'nestjs-cls';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import type { Actor } from '../context/actor';
import type { TransactionHost } from '../database/transaction-host';
import { newId } from '../ids';
import { decodeCursor, toPage, type Page } from '../pagination/pagination';
import { backoffDelay, type JobState, type JobView } from './job';
import {
  JobBackend,
  type AbortReason,
  type ClaimedJob,
  type ExecuteJob,
  type JobOutcome,
  type NewJob,
  type QueueSettings,
  type QueueStats,
} from './job-backend';

/** Options of the embedded backend. */
export interface DatabaseJobBackendOptions {
  /** How long a claimed job stays with its worker without a renewal. Default 30 000 ms. */
  leaseMs?: number;
  /** How often idle workers look for jobs (a local enqueue wakes them at once). Default 1000 ms. */
  pollMs?: number;
}

interface JobRow {
  id: string;
  name: string;
  idempotency_key: string | null;
  account_id: string | null;
  actor: string | null;
  data: string;
  state: JobState;
  progress: number | null;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  error_code: string | null;
  period: string | null;
  cancel_requested_at: string | null;
  run_at: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

const iso = (date: Date) => date.toISOString();
const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

/**
 * Jobs in the application's database (`custos_job`), for one instance or many. A worker claims
 * due jobs in one statement (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances never take the
 * same job; SQLite: one conditional `UPDATE`, atomic on the single writer) and holds each by a
 * lease it renews; a job whose worker died is claimed again when its lease expires. A schedule's
 * run of a period is a job keyed by that period, so only one instance adds it.
 */
export class DatabaseJobBackend extends JobBackend {
  readonly joinsTransactions = true;
  private readonly logger = new Logger(DatabaseJobBackend.name);
  private readonly owner = newId();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private queues: readonly QueueSettings[] = [];
  private execute: ExecuteJob | undefined;
  private readonly running = new Map<string, Running>();
  private readonly runningPerQueue = new Map<string, number>();
  private readonly enqueuedPeriods = new Map<string, number>();
  private pollTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private stopping = false;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly clock: Clock,
    private readonly cls: ClsService,
    options: DatabaseJobBackendOptions = {},
  ) {
    super();
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1000;
  }

  async add(job: NewJob): Promise<JobView> {
    const now = this.clock.now();
    return this.addAt(job, now, new Date(now.getTime() + job.delayMs), null);
  }

  async start(queues: readonly QueueSettings[], execute: ExecuteJob): Promise<void> {
    this.queues = queues;
    this.execute = execute;
    // Outside the context of whoever started the app: the loops run on their own.
    this.cls.exit(() => {
      this.leaseTimer = setInterval(() => void this.renewLeases(), Math.ceil(this.leaseMs / 3));
      this.leaseTimer.unref();
    });
    await this.poll();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.leaseTimer);
    await this.polling;
    for (const { controller } of this.running.values()) {
      controller.abort('shutdown' satisfies AbortReason);
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  async retireSchedulesExcept(names: readonly string[]): Promise<void> {
    await this.write(
      `UPDATE custos_job SET state = 'cancelled', finished_at = $1
       WHERE state = 'waiting' AND period IS NOT NULL AND ${this.transactions.isPostgres ? 'NOT (name = ANY($2))' : 'name NOT IN (SELECT value FROM json_each($2))'}
       RETURNING id`,
      [iso(this.clock.now()), this.transactions.isPostgres ? names : JSON.stringify(names)],
    );
  }

  async unfinishedNames(): Promise<string[]> {
    const rows = await this.read<{ name: string }>(
      `SELECT DISTINCT name FROM custos_job WHERE state IN ('waiting', 'active')`,
      [],
    );
    return rows.map((r) => r.name);
  }

  async find(id: string): Promise<JobView | null> {
    const [row] = await this.read<JobRow>('SELECT * FROM custos_job WHERE id = $1', [id]);
    return row ? viewOf(row) : null;
  }

  async list(accountId: string, page: { limit: number; after?: string }): Promise<Page<JobView>> {
    const params: unknown[] = [accountId, page.limit + 1];
    let after = '';
    if (page.after) {
      params.push(String(decodeCursor(page.after, 1)[0]));
      after = 'AND id < $3';
    }
    const rows = await this.read<JobRow>(
      `SELECT * FROM custos_job WHERE (account_id = $1 OR account_id IS NULL) ${after} ORDER BY id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, page.limit, (row) => [row.id], viewOf);
  }

  async retry(id: string): Promise<JobView | null> {
    const now = iso(this.clock.now());
    const [row] = await this.write(
      `UPDATE custos_job SET state = 'waiting', attempts = 0, error_code = NULL, progress = NULL,
         cancel_requested_at = NULL, run_at = $2, started_at = NULL, finished_at = NULL
       WHERE id = $1 AND state IN ('dead', 'cancelled') RETURNING *`,
      [id, now],
    );
    this.wake();
    return row ? viewOf(row) : null;
  }

  async cancel(id: string): Promise<JobView | null> {
    const now = iso(this.clock.now());
    const [row] = await this.write(
      `UPDATE custos_job SET
         state = CASE WHEN state = 'waiting' THEN 'cancelled' ELSE state END,
         finished_at = CASE WHEN state = 'waiting' THEN $2 ELSE finished_at END,
         cancel_requested_at = $2
       WHERE id = $1 AND state IN ('waiting', 'active') RETURNING *`,
      [id, now],
    );
    // Running here: stop it now rather than at the next lease renewal.
    this.running.get(id)?.controller.abort('cancelled' satisfies AbortReason);
    return row ? viewOf(row) : null;
  }

  async prune(before: Date): Promise<number> {
    const rows = await this.write(
      `DELETE FROM custos_job WHERE state IN ('completed', 'cancelled') AND finished_at < $1 RETURNING id`,
      [iso(before)],
    );
    return rows.length;
  }

  async stats(): Promise<QueueStats[]> {
    const rows = await this.read<{
      name: string;
      state: 'waiting' | 'active' | 'dead';
      count: string | number;
      oldest: string | null;
    }>(
      `SELECT name, state, COUNT(*) AS count,
         MIN(CASE WHEN state = 'waiting' AND run_at <= $1 THEN run_at END) AS oldest
       FROM custos_job WHERE state IN ('waiting', 'active', 'dead') GROUP BY name, state`,
      [iso(this.clock.now())],
    );
    const byQueue = new Map<string, QueueStats>();
    for (const row of rows) {
      const stats = byQueue.get(row.name) ?? {
        queue: row.name,
        counts: { waiting: 0, active: 0, dead: 0 },
        oldestWaitingSince: null,
      };
      stats.counts[row.state] = Number(row.count);
      if (row.oldest) {
        stats.oldestWaitingSince = new Date(row.oldest);
      }
      byQueue.set(row.name, stats);
    }
    return [...byQueue.values()];
  }

  private async addAt(job: NewJob, now: Date, runAt: Date, period: Date | null): Promise<JobView> {
    const id = newId(now.getTime());
    const values = [
      id,
      job.name,
      job.key,
      job.accountId,
      job.actor === null ? null : JSON.stringify(job.actor),
      JSON.stringify(job.data ?? null),
      job.maxAttempts,
      job.backoffMs,
      period === null ? null : iso(period),
      iso(runAt),
      iso(now),
    ];
    // Joins the caller's transaction, if any: the job exists only if the change commits.
    const [inserted] = await this.write(
      `INSERT INTO custos_job (id, name, idempotency_key, account_id, actor, data, state, attempts,
         max_attempts, backoff_ms, period, run_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'waiting', 0, $7, $8, $9, $10, $11)
       ON CONFLICT (name, idempotency_key) DO NOTHING RETURNING *`,
      values,
    );
    if (inserted) {
      // Once the job is visible to the workers' claim (at once outside a transaction).
      this.transactions.afterCommit(() => this.wake());
      return viewOf(inserted);
    }
    const [existing] = await this.read<JobRow>(
      'SELECT * FROM custos_job WHERE name = $1 AND idempotency_key = $2',
      [job.name, job.key],
    );
    return viewOf(existing);
  }

  /** Looks for due jobs soon, outside the caller's context (and transaction). */
  private wake(): void {
    if (this.execute && !this.stopping) {
      this.cls.exit(() => setImmediate(() => void this.poll()));
    }
  }

  private poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    clearTimeout(this.pollTimer);
    this.polling = this.cls.exit(() => this.pollOnce());
    return this.polling.finally(() => {
      this.polling = undefined;
      if (this.stopping) {
        return;
      }
      if (this.pollAgain) {
        this.pollAgain = false;
        this.wake();
      } else {
        this.cls.exit(() => {
          this.pollTimer = setTimeout(() => void this.poll(), this.pollMs);
          this.pollTimer.unref();
        });
      }
    });
  }

  private async pollOnce(): Promise<void> {
    try {
      await this.enqueueSchedules();
      for (const queue of this.queues) {
        const free = queue.concurrency - (this.runningPerQueue.get(queue.name) ?? 0);
        if (free <= 0 || this.stopping) {
          continue;
        }
        const claimed = await this.claim(queue.name, free);
        for (const row of claimed) {
          this.run(queue, row);
        }
        if (claimed.length === free) {
          this.pollAgain = true; // more may be due
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Looking for due jobs failed');
    }
  }

  /**
   * Adds the run of every schedule for the current period, due at its end (a no-op where another
   * instance did): an hourly task runs at each full hour, not at each start.
   */
  private async enqueueSchedules(): Promise<void> {
    const now = this.clock.now();
    for (const queue of this.queues) {
      if (!queue.everyMs) {
        continue;
      }
      const periodStart = Math.floor(now.getTime() / queue.everyMs) * queue.everyMs;
      if (this.enqueuedPeriods.get(queue.name) === periodStart) {
        continue;
      }
      const period = new Date(periodStart);
      await this.addAt(
        {
          name: queue.name,
          key: `period:${iso(period)}`,
          accountId: null,
          actor: null,
          data: {},
          maxAttempts: queue.attempts,
          backoffMs: queue.backoffMs,
          delayMs: 0,
        },
        now,
        new Date(periodStart + queue.everyMs),
        period,
      );
      this.enqueuedPeriods.set(queue.name, periodStart);
    }
  }

  private claim(name: string, limit: number): Promise<JobRow[]> {
    const now = this.clock.now();
    const params = [name, iso(now), limit, this.owner, iso(new Date(now.getTime() + this.leaseMs))];
    // Never its own expired lease: this instance still runs that job (a slow lease renewal).
    const due = `name = $1 AND ((state = 'waiting' AND run_at <= $2)
      OR (state = 'active' AND lease_expires_at < $2 AND lease_owner <> $4))`;
    const set = `state = 'active', lease_owner = $4, lease_expires_at = $5, attempts = attempts + 1,
      started_at = COALESCE(started_at, $2)`;
    return this.write(
      this.transactions.isPostgres
        ? `UPDATE custos_job SET ${set} WHERE id IN (
             SELECT id FROM custos_job WHERE ${due} ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
           ) RETURNING *`
        : `UPDATE custos_job SET ${set} WHERE id IN (
             SELECT id FROM custos_job WHERE ${due} ORDER BY run_at, id LIMIT $3
           ) RETURNING *`,
      params,
    );
  }

  private run(queue: QueueSettings, row: JobRow): void {
    const controller = new AbortController();
    if (row.cancel_requested_at !== null) {
      controller.abort('cancelled' satisfies AbortReason);
    }
    this.runningPerQueue.set(queue.name, (this.runningPerQueue.get(queue.name) ?? 0) + 1);
    const job: ClaimedJob = {
      id: row.id,
      name: row.name,
      data: JSON.parse(row.data) as unknown,
      accountId: row.account_id,
      actor: row.actor === null ? null : (JSON.parse(row.actor) as Actor),
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      period: dateOrNull(row.period),
    };
    const done = this.cls.exit(async () => {
      try {
        const outcome = await this.execute!(job, {
          signal: controller.signal,
          progress: (percent) => this.progress(job.id, percent),
        });
        await this.finish(job, row.backoff_ms, outcome);
      } catch (error) {
        this.logger.error({ err: error, jobId: job.id }, 'Recording the end of a job failed');
      } finally {
        this.running.delete(job.id);
        this.runningPerQueue.set(queue.name, this.runningPerQueue.get(queue.name)! - 1);
        this.wake();
      }
    });
    this.running.set(job.id, { controller, done });
  }

  private async progress(id: string, percent: number): Promise<void> {
    const now = this.clock.now();
    await this.write(
      `UPDATE custos_job SET progress = $3, lease_expires_at = $4 WHERE id = $1 AND lease_owner = $2 AND state = 'active' RETURNING id`,
      [
        id,
        this.owner,
        Math.max(0, Math.min(100, Math.round(percent))),
        iso(new Date(now.getTime() + this.leaseMs)),
      ],
    );
  }

  private async finish(job: ClaimedJob, backoffMs: number, outcome: JobOutcome): Promise<void> {
    const now = this.clock.now();
    const ended = `lease_owner = NULL, lease_expires_at = NULL`;
    const mine = `WHERE id = $1 AND lease_owner = $2 AND state = 'active'`;
    switch (outcome.kind) {
      case 'completed':
        await this.write(
          `UPDATE custos_job SET state = 'completed', progress = 100, error_code = NULL, finished_at = $3, ${ended} ${mine} RETURNING id`,
          [job.id, this.owner, iso(now)],
        );
        return;
      case 'cancelled':
        await this.write(
          `UPDATE custos_job SET state = 'cancelled', finished_at = $3, ${ended} ${mine} RETURNING id`,
          [job.id, this.owner, iso(now)],
        );
        return;
      case 'released':
        // Not a failed attempt: the next claim counts it again.
        await this.write(
          `UPDATE custos_job SET state = 'waiting', attempts = attempts - 1, run_at = $3, ${ended} ${mine} RETURNING id`,
          [job.id, this.owner, iso(now)],
        );
        return;
      case 'failed':
        if (outcome.retry) {
          const runAt = new Date(now.getTime() + backoffDelay(backoffMs, job.attempt));
          await this.write(
            `UPDATE custos_job SET state = 'waiting', error_code = $3, run_at = $4, ${ended} ${mine} RETURNING id`,
            [job.id, this.owner, outcome.code, iso(runAt)],
          );
        } else {
          await this.write(
            `UPDATE custos_job SET state = 'dead', error_code = $3, finished_at = $4, ${ended} ${mine} RETURNING id`,
            [job.id, this.owner, outcome.code, iso(now)],
          );
        }
    }
  }

  /** Renews the leases of this instance's jobs; aborts those cancelled or taken over. */
  private async renewLeases(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0 || this.stopping) {
      return;
    }
    try {
      const now = this.clock.now();
      const kept = await this.write(
        `UPDATE custos_job SET lease_expires_at = $3
         WHERE lease_owner = $1 AND state = 'active' AND ${this.transactions.isPostgres ? 'id = ANY($2)' : 'id IN (SELECT value FROM json_each($2))'}
         RETURNING id, cancel_requested_at`,
        [
          this.owner,
          this.transactions.isPostgres ? ids : JSON.stringify(ids),
          iso(new Date(now.getTime() + this.leaseMs)),
        ],
      );
      const byId = new Map(kept.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        if (!row) {
          this.running.get(id)?.controller.abort('lease_lost' satisfies AbortReason);
        } else if (row.cancel_requested_at !== null) {
          this.running.get(id)?.controller.abort('cancelled' satisfies AbortReason);
        }
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Renewing job leases failed');
    }
  }

  /** A write in its own transaction (or the caller's), returning the `RETURNING` rows. */
  private write(sql: string, params: unknown[]): Promise<JobRow[]> {
    return this.transactions.run(async (manager: EntityManager) => {
      const result = await manager.queryRunner!.query(...this.bind(sql, params), true);
      return (result.records ?? []) as JobRow[];
    });
  }

  /** A read on the current manager (the caller's transaction, if any). */
  private read<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.transactions.manager.query<T[]>(...this.bind(sql, params));
  }

  /** PostgreSQL's `$1` placeholders, rewritten for SQLite's positional `?`. */
  private bind(sql: string, params: unknown[]): [string, unknown[]] {
    if (this.transactions.isPostgres) {
      return [sql, params];
    }
    const values: unknown[] = [];
    const text = sql.replace(/\$(\d+)/g, (_match, index: string) => {
      values.push(params[Number(index) - 1]);
      return '?';
    });
    return [text, values];
  }
}

function viewOf(row: JobRow): JobView {
  return {
    id: row.id,
    name: row.name,
    key: row.idempotency_key,
    accountId: row.account_id,
    state: row.state,
    progress: row.progress,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    errorCode: row.error_code,
    cancelRequested: row.cancel_requested_at !== null,
    createdAt: new Date(row.created_at),
    runAt: new Date(row.run_at),
    startedAt: dateOrNull(row.started_at),
    finishedAt: dateOrNull(row.finished_at),
  };
}
