import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { CoreModule } from '../core.module';
import { RequestContext } from '../context/request-context';
import { TransactionHost } from '../database/transaction-host';
import { CustosError } from '../errors/custos-error';
import { newId } from '../ids';
import { JobBackend } from '../jobs/job-backend';
import { JOB_ENTITIES } from '../jobs/job.entity';
import { JOB_BACKEND, Jobs } from '../jobs/jobs';
import type { JobQueue, JobView } from '../jobs/job';
import { connectionOptionsOf, type TestDatabase } from './test-database';

/** One booted instance of the jobs runtime. */
export interface JobsInstance {
  readonly jobs: Jobs;
  readonly context: RequestContext;
  readonly dataSource: DataSource;
  readonly transactions: TransactionHost;
  readonly backend: JobBackend;
  close(): Promise<void>;
}

/** Boots instances that share one job store: `register` adds the queues before the start. */
export type BootJobsInstance = (register: (jobs: Jobs) => void) => Promise<JobsInstance>;

/**
 * Boots `Jobs` over `database` (the job table made by the entities), on the default database
 * backend or on `backend()` (a new one per instance), by default with a short poll and lease.
 */
export function jobsInstanceBooter(
  database: TestDatabase,
  backend?: () => JobBackend,
  timing: { pollMs: number; leaseMs: number } = { pollMs: 50, leaseMs: 600 },
): BootJobsInstance {
  return async (register) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({
          verifyRoutePolicies: false,
          jobs: { backend: backend?.(), ...timing },
        }),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: JOB_ENTITIES,
          synchronize: true,
        }),
      ],
    }).compile();
    const jobs = moduleRef.get(Jobs);
    register(jobs);
    try {
      await moduleRef.init();
    } catch (error) {
      await moduleRef.close();
      throw error;
    }
    return {
      jobs,
      context: moduleRef.get(RequestContext),
      dataSource: moduleRef.get(DataSource),
      transactions: moduleRef.get(TransactionHost),
      backend: moduleRef.get<JobBackend>(JOB_BACKEND),
      close: () => moduleRef.close(),
    };
  };
}

/** Polls `check` until it returns something other than `undefined` (or fails after 20 s). */
export async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('The condition was not met within 20 s');
    }
    await sleep(20);
  }
}

/** Waits until the job is in `state`; returns it. */
export function jobInState(jobs: Jobs, id: string, state: JobView['state']): Promise<JobView> {
  return eventually(async () => {
    const job = await jobs.get(id);
    return job.state === state ? job : undefined;
  });
}

/** A job enqueued outside a transaction: every backend adds it at once and returns it. */
async function added(enqueued: Promise<JobView | null>): Promise<JobView> {
  const view = await enqueued;
  if (!view) {
    throw new Error('A job enqueued outside a transaction came back as null');
  }
  return view;
}

/**
 * What every job backend must do, as jest cases: call inside a `describe`. `boot` starts an
 * instance; every instance a case boots shares one store, and no two cases share one.
 */
export function jobsContract(makeBooter: () => Promise<BootJobsInstance>): void {
  const instances: JobsInstance[] = [];
  let boot: BootJobsInstance;
  /** A queue name no other case uses. */
  const unique = (name: string) => `test.${name}_${newId().slice(-12)}`;

  beforeEach(async () => {
    boot = await makeBooter();
  });

  afterEach(async () => {
    for (const instance of instances.splice(0).reverse()) {
      await instance.close();
    }
  });

  async function start(register: (jobs: Jobs) => void): Promise<JobsInstance> {
    const instance = await boot(register);
    instances.push(instance);
    return instance;
  }

  it('runs a job once per idempotency key, as the account actor it was enqueued for', async () => {
    const runs: { data: unknown; accountId: string | undefined }[] = [];
    let queue!: JobQueue<{ n: number }>;
    const { jobs, context } = await start((j) => {
      queue = j.createQueue({
        name: unique('idempotent'),
        process: async (job) => {
          runs.push({ data: job.data, accountId: context.actor?.accountId });
        },
      });
    });
    const accountId = newId();
    const first = await added(queue.enqueue({ n: 1 }, { key: 'k1', accountId }));
    const again = await added(queue.enqueue({ n: 2 }, { key: 'k1', accountId }));
    expect(again.id).toBe(first.id);
    await jobInState(jobs, first.id, 'completed');
    const other = await added(queue.enqueue({ n: 3 }, { accountId }));
    await jobInState(jobs, other.id, 'completed');
    expect(runs).toEqual([
      { data: { n: 1 }, accountId },
      { data: { n: 3 }, accountId },
    ]);
    const completed = await jobs.get(first.id);
    expect(completed).toMatchObject({
      state: 'completed',
      attempts: 1,
      accountId,
      errorCode: null,
    });
  });

  it('adds a job enqueued in a transaction only once it commits, and none when it rolls back', async () => {
    const runs: string[] = [];
    let queue!: JobQueue<{ n: string }>;
    const { jobs, transactions, backend } = await start((j) => {
      queue = j.createQueue({
        name: unique('transactional'),
        process: async (job) => {
          runs.push(job.data.n);
        },
      });
    });
    const accountId = newId();
    await expect(
      transactions.run(async () => {
        await queue.enqueue({ n: 'rolled back' }, { key: 'rolled-back', accountId });
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    const inside = await transactions.run(() =>
      queue.enqueue({ n: 'committed' }, { key: 'committed', accountId }),
    );
    // A backend that joins the transaction returns the job; another gets it after the commit.
    expect(inside === null).toBe(!backend.joinsTransactions);
    const listed = await eventually(async () => {
      const mine = (await jobs.list(accountId, { limit: 10 })).results.filter(
        (j) => j.name === queue.name,
      );
      return mine.some((j) => j.state === 'completed') ? mine : undefined;
    });
    expect(listed).toHaveLength(1);
    expect(inside?.id ?? listed[0].id).toBe(listed[0].id);
    // Nothing is kept under the rolled-back key: enqueuing it now adds (and runs) a new job.
    const again = await added(queue.enqueue({ n: 'again' }, { key: 'rolled-back', accountId }));
    await jobInState(jobs, again.id, 'completed');
    expect(runs).toEqual(['committed', 'again']);
  });

  it('retries a failing job with backoff, then completes it', async () => {
    let calls = 0;
    let queue!: JobQueue<Record<string, never>>;
    const { jobs } = await start((j) => {
      queue = j.createQueue({
        name: unique('flaky'),
        attempts: 3,
        backoffMs: 50,
        process: async () => {
          calls += 1;
          if (calls < 3) {
            throw new Error('a passing failure');
          }
        },
      });
    });
    const job = await added(queue.enqueue({}));
    await expect(jobInState(jobs, job.id, 'completed')).resolves.toMatchObject({
      attempts: 3,
      errorCode: null,
    });
    expect(calls).toBe(3);
  });

  it('ends dead with the error code, never the message, once attempts are spent', async () => {
    const secret = `the value ${newId()}`;
    let calls = 0;
    let unavailable!: JobQueue<Record<string, never>>;
    let invalid!: JobQueue<Record<string, never>>;
    let crashing!: JobQueue<Record<string, never>>;
    const { jobs } = await start((j) => {
      unavailable = j.createQueue({
        name: unique('down'),
        attempts: 2,
        backoffMs: 20,
        process: async () => {
          calls += 1;
          throw new CustosError('unavailable', 'test.service_down', secret);
        },
      });
      invalid = j.createQueue({
        name: unique('invalid'),
        attempts: 5,
        backoffMs: 20,
        process: async () => {
          throw CustosError.invalidField('test.bad_input', 'email', secret);
        },
      });
      crashing = j.createQueue({
        name: unique('crash'),
        attempts: 1,
        process: async () => {
          throw new Error(secret);
        },
      });
    });
    const down = await jobInState(jobs, (await added(unavailable.enqueue({}))).id, 'dead');
    expect(down).toMatchObject({ attempts: 2, errorCode: 'test.service_down' });
    expect(calls).toBe(2);
    // A decision (not `unavailable`) is not retried.
    const bad = await jobInState(jobs, (await added(invalid.enqueue({}))).id, 'dead');
    expect(bad).toMatchObject({ attempts: 1, errorCode: 'test.bad_input' });
    const crashed = await jobInState(jobs, (await added(crashing.enqueue({}))).id, 'dead');
    expect(crashed).toMatchObject({ errorCode: 'job.unexpected_error' });
    for (const view of [down, bad, crashed]) {
      expect(JSON.stringify(view)).not.toContain(secret);
    }

    // Retried by hand: fresh attempts.
    const retried = await jobs.retry(down.id);
    expect(['waiting', 'active']).toContain(retried.state); // a worker may have it already
    await jobInState(jobs, down.id, 'dead');
    expect(calls).toBe(4);
    await expect(jobs.retry(newId())).rejects.toMatchObject({ code: 'core.job_not_found' });
  });

  it('reports depth by state, dead jobs and the oldest due waiting job; tells failures to listeners', async () => {
    const failures: [string, boolean][] = [];
    let blocked!: JobQueue<Record<string, never>>;
    let failing!: JobQueue<Record<string, never>>;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { jobs } = await start((j) => {
      j.onFailure((queue, dead) => failures.push([queue, dead]));
      blocked = j.createQueue({
        name: unique('blocked'),
        process: (job) =>
          new Promise<void>((resolve) => {
            started();
            job.signal.addEventListener('abort', () => resolve());
          }),
      });
      failing = j.createQueue({
        name: unique('failing'),
        attempts: 1,
        process: async () => {
          throw CustosError.invalidField('test.bad_input', 'email', 'refused');
        },
      });
    });
    await blocked.enqueue({});
    await running;
    await blocked.enqueue({});
    await blocked.enqueue({});
    await blocked.enqueue({}, { delayMs: 60_000 });
    await jobInState(jobs, (await added(failing.enqueue({}))).id, 'dead');
    const stats = await jobs.stats();
    const of = (name: string) => stats.find((s) => s.queue === name);
    expect(of(blocked.name)).toMatchObject({ counts: { waiting: 3, active: 1, dead: 0 } });
    expect(of(blocked.name)?.oldestWaitingSince).toBeInstanceOf(Date);
    expect(of(failing.name)).toEqual({
      queue: failing.name,
      counts: { waiting: 0, active: 0, dead: 1 },
      oldestWaitingSince: null,
    });
    expect(failures).toEqual([[failing.name, true]]);
  });

  it('reports progress, and cancels a waiting job (calling `cancelled` with its key) and a running one', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let sawCancel = false;
    const cancelledWaiting: Pick<JobView, 'id' | 'key' | 'state'>[] = [];
    let slow!: JobQueue<Record<string, never>>;
    const { jobs } = await start((j) => {
      slow = j.createQueue({
        name: unique('slow'),
        cancelled: async ({ id, key, state }) => {
          cancelledWaiting.push({ id, key, state });
        },
        process: async (job) => {
          await job.progress(40);
          await released;
          await new Promise<void>((resolve) => {
            if (job.signal.aborted) {
              resolve();
            }
            job.signal.addEventListener('abort', () => resolve());
          });
          sawCancel = job.signal.reason === 'cancelled';
        },
      });
    });
    const later = await added(slow.enqueue({}, { key: 'later', delayMs: 60_000 }));
    expect(later.key).toBe('later');
    await expect(jobs.cancel(later.id)).resolves.toMatchObject({ state: 'cancelled' });
    await expect(jobs.cancel(later.id)).rejects.toMatchObject({
      code: 'core.job_not_cancellable',
    });
    expect(cancelledWaiting).toEqual([{ id: later.id, key: 'later', state: 'cancelled' }]);

    const running = await added(slow.enqueue({}, { key: 'running' }));
    await eventually(async () => {
      const job = await jobs.get(running.id);
      return job.state === 'active' && job.progress === 40 ? job : undefined;
    });
    await jobs.cancel(running.id);
    release();
    await jobInState(jobs, running.id, 'cancelled');
    expect(sawCancel).toBe(true);
    // The handler ended the running one: `cancelled` is not called for it.
    expect(cancelledWaiting.map((job) => job.key)).toEqual(['later']);
  });

  it('refuses to start while jobs wait for a name without a handler, naming it', async () => {
    const name = unique('orphan');
    let queue!: JobQueue<Record<string, never>>;
    const first = await start((j) => {
      queue = j.createQueue({ name, process: () => new Promise(() => undefined) });
    });
    await added(queue.enqueue({}, { delayMs: 60_000 }));
    await first.close();
    instances.splice(instances.indexOf(first), 1);
    await expect(
      start((j) => j.createQueue({ name: unique('other'), process: async () => undefined })),
    ).rejects.toThrow(name);
  });

  it('starts without a schedule that was turned off, dropping its pending run', async () => {
    const name = unique('retired');
    const first = await start((j) =>
      j.schedule({ name, everySeconds: 3600, process: async () => undefined }),
    );
    await first.close();
    instances.splice(instances.indexOf(first), 1);
    await expect(
      start((j) => j.createQueue({ name: unique('other'), process: async () => undefined })),
    ).resolves.toBeDefined();
  });

  it('runs a schedule once per period with two instances working', async () => {
    const periods: number[] = [];
    const name = unique('tick');
    const register = (j: Jobs) =>
      j.schedule({
        name,
        everySeconds: 1,
        process: async (job) => {
          periods.push(job.period!.getTime());
        },
      });
    await start(register);
    await start(register);
    await eventually(async () => (periods.length >= 3 ? true : undefined));
    expect(new Set(periods).size).toBe(periods.length);
  });
}
