/**
 * bench/jobs: the job backends of `@custos/core`'s `Jobs`, on this machine. For each backend —
 * the embedded one on SQLite and on PostgreSQL, and BullMQ on Redis (`CUSTOS_TEST_REDIS_URL`,
 * default redis://127.0.0.1:6379) — one instance with the server's defaults (lease 30 s, poll
 * 1 s) runs a queue of no-op jobs at concurrency 10:
 *
 * - `throughput`: `jobs` no-op jobs enqueued at once (100 enqueues in flight), timed from the
 *   first enqueue until the last job completed: jobs per second, and `ratioToAnchor` against the
 *   anchor (BullMQ on Redis ≈ 2,000 no-op jobs/s at concurrency 10).
 * - `latency`: `samples` jobs enqueued one at a time on an idle queue: milliseconds from the
 *   enqueue call to the handler's start (median, p95). The embedded backend wakes its own
 *   workers at once; another instance's would wait for its next poll.
 * - `lock` (BullMQ): a CPU-heavy handler busy for 3 leases (lease 1 s), once yielding to the
 *   event loop between 20 ms slices (`setImmediate`) and once blocking: its attempts and final
 *   state — a blocked loop cannot renew BullMQ's lock, so the job stalls and runs again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { newId, type Jobs, type JobQueue } from '@custos/core';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  jobsInstanceBooter,
  type DatabaseKind,
  type JobsInstance,
} from '@custos/core/testing';
import { Redis } from 'ioredis';
import { BullJobBackend } from '../src/redis/bullmq-job-backend';

/** BullMQ on Redis, no-op jobs at concurrency 10, as measured for the issue. */
const ANCHOR_JOBS_PER_SECOND = 2000;
const CONCURRENCY = 10;
const IN_FLIGHT = 100;

export type JobBackendKind = DatabaseKind | 'bullmq';

export interface JobsBenchOptions {
  jobs: number;
  samples: number;
}

export interface JobsBackendResult {
  throughput: { jobs: number; seconds: number; jobsPerSecond: number; ratioToAnchor: number };
  latency: { samples: number; medianMs: number; p95Ms: number };
  lock?: Record<'yielding' | 'blocking', { attempts: number; state: string }>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Busy for `ms` of CPU, in 20 ms slices with a turn of the event loop between them if `yielding`. */
async function burn(ms: number, yielding: boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const slice = Date.now() + 20;
    while (Date.now() < slice) {
      // spin
    }
    if (yielding) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

export async function benchJobs(
  kind: JobBackendKind,
  options: JobsBenchOptions,
): Promise<JobsBackendResult> {
  const database = await createTestDatabase(kind === 'bullmq' ? 'sqlite' : kind);
  const prefix = `custos-bench-${newId()}`;
  const leaseMs = kind === 'bullmq' ? 1000 : 30_000;
  const boot = jobsInstanceBooter(
    database,
    kind === 'bullmq'
      ? () => new BullJobBackend({ url: TEST_REDIS_URL, prefix, leaseMs })
      : undefined,
    { pollMs: 1000, leaseMs },
  );
  let completed = 0;
  let allDone: () => void = () => undefined;
  const started = new Map<string, number>();
  let noop!: JobQueue<{ n: number }>;
  let timed!: JobQueue<Record<string, never>>;
  let heavy!: JobQueue<{ yielding: boolean }>;
  let instance: JobsInstance | undefined;
  try {
    instance = await boot((jobs: Jobs) => {
      noop = jobs.createQueue({
        name: 'bench.noop',
        concurrency: CONCURRENCY,
        process: async () => {
          completed += 1;
          if (completed === options.jobs) {
            allDone();
          }
        },
      });
      timed = jobs.createQueue({
        name: 'bench.latency',
        process: async (job) => {
          started.set(job.id, performance.now());
        },
      });
      heavy = jobs.createQueue({
        name: 'bench.cpu',
        attempts: 1,
        process: (job) => burn(3 * leaseMs, job.data.yielding),
      });
    });

    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const begin = performance.now();
    for (let n = 0; n < options.jobs; n += IN_FLIGHT) {
      await Promise.all(
        Array.from({ length: Math.min(IN_FLIGHT, options.jobs - n) }, (_, i) =>
          noop.enqueue({ n: n + i }),
        ),
      );
    }
    await finished;
    const seconds = (performance.now() - begin) / 1000;
    const jobsPerSecond = options.jobs / seconds;

    const latencies: number[] = [];
    for (let i = 0; i < options.samples; i += 1) {
      const enqueued = performance.now();
      // Outside a transaction: added at once, on every backend.
      const job = (await timed.enqueue({}))!;
      while (!started.has(job.id)) {
        await sleep(1);
      }
      latencies.push(started.get(job.id)! - enqueued);
    }
    latencies.sort((a, b) => a - b);

    const result: JobsBackendResult = {
      throughput: {
        jobs: options.jobs,
        seconds: round(seconds),
        jobsPerSecond: Math.round(jobsPerSecond),
        ratioToAnchor: round(jobsPerSecond / ANCHOR_JOBS_PER_SECOND),
      },
      latency: {
        samples: options.samples,
        medianMs: round(percentile(latencies, 50)),
        p95Ms: round(percentile(latencies, 95)),
      },
    };
    if (kind === 'bullmq') {
      const outcome = async (yielding: boolean) => {
        const job = (await heavy.enqueue({ yielding }))!;
        const deadline = Date.now() + 30_000;
        for (;;) {
          const view = await instance!.jobs.get(job.id);
          if (['completed', 'dead'].includes(view.state) || Date.now() > deadline) {
            return { attempts: view.attempts, state: view.state };
          }
          await sleep(100);
        }
      };
      result.lock = { yielding: await outcome(true), blocking: await outcome(false) };
    }
    return result;
  } finally {
    await instance?.close();
    await database.drop();
    if (kind === 'bullmq') {
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) {
        await redis.del(...keys);
      }
      await redis.quit();
    }
  }
}
