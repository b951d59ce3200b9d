import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock, Jobs, MailOutbox, type MailBacklog, type QueueStats } from '@custos/core';

/** The pg pool counters TypeORM's PostgreSQL driver keeps on its `master` pool. */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The server's Prometheus metrics, in a registry of its own (several servers in one process, as
 * in the tests, do not mix their figures). Labels are route templates, methods, status codes,
 * queue names and states: never ids, emails or values. Job and outbox figures are read from the
 * database or Redis at each scrape, so every instance reports the same deployment-wide figures
 * (failure counts are this instance's).
 */
@Injectable()
export class ServerMetrics {
  private readonly logger = new Logger(ServerMetrics.name);
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'custos_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'custos_http_request_duration_seconds',
    help: 'Time from the request to the end of the response, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(dataSource: DataSource, jobs: Jobs, clock: Clock, moduleRef: ModuleRef) {
    collectDefaultMetrics({ register: this.registry, prefix: 'custos_' });
    this.jobMetrics(jobs, clock);
    this.outboxMetrics(moduleRef, clock);
    const pool = (): PgPool | undefined =>
      dataSource.options.type === 'postgres'
        ? (dataSource.driver as unknown as { master?: PgPool }).master
        : undefined;
    new Gauge({
      name: 'custos_db_pool_connections',
      help: 'Database pool connections by state (PostgreSQL; SQLite has one connection and no pool).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const master = pool();
        if (master) {
          this.set({ state: 'total' }, master.totalCount);
          this.set({ state: 'idle' }, master.idleCount);
          this.set({ state: 'waiting' }, master.waitingCount);
        }
      },
    });
  }

  private jobMetrics(jobs: Jobs, clock: Clock): void {
    const failures = new Counter({
      name: 'custos_job_failures_total',
      help: 'Failed job attempts on this instance, by queue and the state the job went to (waiting: retried, dead).',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
    });
    jobs.onFailure((queue, dead) => failures.inc({ queue, state: dead ? 'dead' : 'waiting' }));
    // Both gauges of one scrape share one read (prom-client collects them concurrently).
    const stats = this.onePerScrape(() => jobs.stats(), 'job queue');
    new Gauge({
      name: 'custos_job_queue_jobs',
      help: 'Jobs of the deployment by queue and state (waiting, active, dead).',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const queues = await stats();
        this.reset();
        for (const { queue, counts } of queues ?? []) {
          for (const [state, count] of Object.entries(counts)) {
            this.set({ queue, state }, count);
          }
        }
      },
    });
    new Gauge({
      name: 'custos_job_queue_oldest_waiting_seconds',
      help: 'How long the longest-waiting due job of each queue has waited (0: none waits).',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        const queues: QueueStats[] | undefined = await stats();
        this.reset();
        const now = clock.now().getTime();
        for (const { queue, oldestWaitingSince } of queues ?? []) {
          this.set({ queue }, ageSeconds(now, oldestWaitingSince));
        }
      },
    });
  }

  private outboxMetrics(moduleRef: ModuleRef, clock: Clock): void {
    // Looked up at the scrape: an app may run without the mail module.
    const backlog = this.onePerScrape(async (): Promise<MailBacklog | undefined> => {
      const outbox = moduleRef.get(MailOutbox, { strict: false });
      return outbox.backlog();
    }, 'mail outbox');
    new Gauge({
      name: 'custos_mail_outbox_mails',
      help: 'Mails of the outbox not sent, by status (pending: to be sent or retried; failed: given up).',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const found = await backlog();
        if (found) {
          this.set({ status: 'pending' }, found.pending);
          this.set({ status: 'failed' }, found.failed);
        }
      },
    });
    new Gauge({
      name: 'custos_mail_outbox_oldest_pending_seconds',
      help: 'Age of the oldest pending mail of the outbox (0: none pending).',
      registers: [this.registry],
      async collect() {
        const found = await backlog();
        if (found) {
          this.set(ageSeconds(clock.now().getTime(), found.oldestPendingAt));
        }
      },
    });
  }

  /**
   * Wraps a read so that the gauges of one scrape share it; a failed read is logged (without
   * detail that could hold a value) and leaves those gauges out instead of failing the scrape.
   */
  private onePerScrape<T>(read: () => Promise<T>, what: string): () => Promise<T | undefined> {
    let pending: Promise<T | undefined> | undefined;
    return () =>
      (pending ??= read()
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, `Reading the ${what} for metrics failed`);
          return undefined;
        })
        .finally(() => {
          pending = undefined;
        }));
  }

  /** Counts one answered request; `route` is the matched template, or `unmatched`. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function ageSeconds(now: number, since: Date | null): number {
  return since ? Math.max(0, (now - since.getTime()) / 1000) : 0;
}
