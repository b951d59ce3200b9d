import { Redis } from 'ioredis';
import { newId } from '@custos/core';
import {
  TEST_REDIS_URL,
  createTestDatabase,
  isRedisAvailable,
  jobsContract,
  jobsInstanceBooter,
  type TestDatabase,
} from '@custos/core/testing';
import { BullJobBackend } from './bullmq-job-backend';

const describeWithRedis = isRedisAvailable() ? describe : describe.skip;

describeWithRedis(`${BullJobBackend.name} on Redis`, () => {
  const prefixes: string[] = [];
  let database: TestDatabase;

  beforeAll(async () => {
    // The jobs live in Redis; the database only backs the rest of the core module.
    database = await createTestDatabase('sqlite');
  });

  afterAll(async () => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) {
        await redis.del(...keys);
      }
    }
    await redis.quit();
    await database.drop();
  });

  // Each case its own key prefix: the instances it boots share it, no other case does.
  jobsContract(async () => {
    const prefix = `custos-test-${newId()}`;
    prefixes.push(prefix);
    return jobsInstanceBooter(
      database,
      () => new BullJobBackend({ url: TEST_REDIS_URL, prefix, leaseMs: 600 }),
    );
  });
});
