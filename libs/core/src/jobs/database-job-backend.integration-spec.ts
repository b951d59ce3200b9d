import { setTimeout as sleep } from 'node:timers/promises';
import {
  createTestDatabase,
  jobInState,
  jobsContract,
  jobsInstanceBooter,
  testDatabaseKinds,
  type TestDatabase,
} from '../testing';
import { newId } from '../ids';
import type { JobQueue } from './job';
import { DatabaseJobBackend } from './database-job-backend';

describe.each(testDatabaseKinds())(`${DatabaseJobBackend.name} on %s`, (kind) => {
  const databases: TestDatabase[] = [];

  afterAll(async () => {
    for (const database of databases) {
      await database.drop();
    }
  });

  /** A fresh database per case: a case may leave jobs behind. */
  async function freshDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase(kind);
    databases.push(database);
    return database;
  }

  jobsContract(async () => jobsInstanceBooter(await freshDatabase()));

  it('takes over a job whose worker died once its lease expires', async () => {
    const boot = jobsInstanceBooter(await freshDatabase());
    const name = `test.takeover_${newId().slice(-12)}`;
    const attempts: number[] = [];
    let queue!: JobQueue<Record<string, never>>;
    const instance = await boot((jobs) => {
      queue = jobs.createQueue({
        name,
        process: async (job) => {
          attempts.push(job.attempt);
        },
      });
    });
    try {
      // A worker of another instance holds the job, then dies: its lease is never renewed.
      const job = (await queue.enqueue({}, { delayMs: 60_000 }))!;
      const held = new Date(Date.now() + 300).toISOString();
      await instance.dataSource.query(
        `UPDATE custos_job SET state = 'active', attempts = 1, lease_owner = 'gone', lease_expires_at = ${kind === 'postgres' ? '$1' : '?'} WHERE id = ${kind === 'postgres' ? '$2' : '?'}`,
        [held, job.id],
      );
      await sleep(100);
      expect((await instance.jobs.get(job.id)).state).toBe('active');
      await expect(jobInState(instance.jobs, job.id, 'completed')).resolves.toMatchObject({
        attempts: 2,
      });
      expect(attempts).toEqual([2]);
    } finally {
      await instance.close();
    }
  });
});
