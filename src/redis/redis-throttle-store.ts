import { CustosError, ThrottleStore, type ThrottleWindow } from '@custos/core';
import type { Redis } from 'ioredis';

/**
 * {@link ThrottleStore} in Redis, so every instance of the server counts in the same windows.
 * A window is a key with a count and a time to live: the first hit sets the expiry (`PEXPIRE …
 * NX`), in the same transaction as the increment, so a window always ends.
 */
export class RedisThrottleStore extends ThrottleStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'custos:throttle:',
  ) {
    super();
  }

  async hit(key: string, windowMs: number): Promise<ThrottleWindow> {
    const name = this.prefix + key;
    const [count, , ttl] = await this.run(() =>
      this.redis.multi().incr(name).pexpire(name, windowMs, 'NX').pttl(name).exec(),
    );
    return { count: Number(count), resetInMs: Math.max(0, Number(ttl)) };
  }

  async peek(key: string): Promise<ThrottleWindow | null> {
    const name = this.prefix + key;
    const [count, ttl] = await this.run(() => this.redis.multi().get(name).pttl(name).exec());
    return count === null || Number(ttl) <= 0
      ? null
      : { count: Number(count), resetInMs: Number(ttl) };
  }

  async reset(key: string): Promise<void> {
    await this.run(async () => [[null, await this.redis.del(this.prefix + key)]]);
  }

  /**
   * The replies of one `MULTI … EXEC`. Redis unreachable is a 503 problem: throttling that cannot
   * count must not let attempts through uncounted.
   */
  private async run(work: () => Promise<[Error | null, unknown][] | null>): Promise<unknown[]> {
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await work();
    } catch {
      throw unavailable();
    }
    if (!replies) {
      throw unavailable();
    }
    return replies.map(([error, value]) => {
      if (error) {
        throw unavailable();
      }
      return value;
    });
  }
}

function unavailable(): CustosError {
  return new CustosError(
    'unavailable',
    'server.throttle_store_unavailable',
    'The shared throttling store (Redis) cannot be reached; try again shortly.',
  );
}
