import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Actor } from '../context/actor';
import { RequestContext } from '../context/request-context';
import { CoreModule } from '../core.module';
import { newId } from '../ids';
import { SuperAdminPrivilegeResolver } from '../policy/privilege-resolver';
import {
  connectionOptionsOf,
  createTestDatabase,
  jobInState,
  testDatabaseKinds,
  type TestDatabase,
} from '../testing';
import type { JobQueue } from './job';
import { JOB_ENTITIES } from './job.entity';
import { Jobs } from './jobs';

/** A resolver for whom every member has lost super admin since they enqueued their job. */
@Injectable()
class DemotedEveryone extends SuperAdminPrivilegeResolver {
  override async current(actor: Actor): Promise<Actor> {
    return { ...actor, superAdmin: false };
  }
}

describe.each(testDatabaseKinds())('Jobs run as their actor stands now, on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('a job enqueued by a super admin demoted since runs without super admin', async () => {
    const seen: boolean[] = [];
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({
          verifyRoutePolicies: false,
          privilegeResolver: DemotedEveryone,
          jobs: { pollMs: 50, leaseMs: 600 },
        }),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: JOB_ENTITIES,
          synchronize: true,
        }),
      ],
      providers: [DemotedEveryone],
    }).compile();
    const jobs = moduleRef.get(Jobs);
    const context = moduleRef.get(RequestContext);
    const queue: JobQueue<Record<string, never>> = jobs.createQueue({
      name: `test.as_now_${newId().slice(-12)}`,
      process: async () => {
        seen.push(context.requireActor().superAdmin);
      },
    });
    await moduleRef.init();
    try {
      const accountId = newId();
      const enqueuedBy: Actor = {
        kind: 'user',
        id: newId(),
        accountId,
        userId: newId(),
        label: 'admin@example.com',
        superAdmin: true,
      };
      const job = await queue.enqueue({}, { accountId, actor: enqueuedBy });
      await jobInState(jobs, job!.id, 'completed');
      expect(seen).toEqual([false]);
    } finally {
      await moduleRef.close();
    }
  });
});
