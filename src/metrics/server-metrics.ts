import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';

/** The pg pool counters TypeORM's PostgreSQL driver keeps on its `master` pool. */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The server's Prometheus metrics, in a registry of its own (several servers in one process, as
 * in the tests, do not mix their figures). Labels are route templates, methods and status codes:
 * never ids, emails or values.
 */
@Injectable()
export class ServerMetrics {
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

  constructor(dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'custos_' });
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
