import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '@custos/core';
import { TEST_REDIS_URL, isRedisAvailable, throttleStoreContract } from '@custos/core/testing';
import { RedisThrottleStore } from './redis-throttle-store';

const describeWithRedis = isRedisAvailable() ? describe : describe.skip;

describeWithRedis(`${RedisThrottleStore.name} on Redis`, () => {
  const prefix = `custos-test:${newId()}:`;
  let redis: Redis;
  let stores = 0;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  throttleStoreContract(() => {
    stores += 1;
    return Promise.resolve({
      store: new RedisThrottleStore(redis, `${prefix}${stores}:`),
      advance: (milliseconds) => sleep(milliseconds),
      windowMs: 300,
    });
  });

  it('keeps no counter beyond its window (every key expires)', async () => {
    const store = new RedisThrottleStore(redis, `${prefix}expiry:`);
    await store.hit('k', 60_000);
    const ttl = await redis.pttl(`${prefix}expiry:k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describe(`${RedisThrottleStore.name} without Redis`, () => {
  it('answers unavailable (503) rather than letting an attempt through uncounted', async () => {
    // Port 1 on the loopback: nothing listens there.
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const store = new RedisThrottleStore(redis);
    try {
      await expect(store.hit('k', 1000)).rejects.toMatchObject({
        kind: 'unavailable',
        code: 'server.throttle_store_unavailable',
      });
      await expect(store.peek('k')).rejects.toMatchObject({ kind: 'unavailable' });
    } finally {
      redis.disconnect();
    }
  });
});
