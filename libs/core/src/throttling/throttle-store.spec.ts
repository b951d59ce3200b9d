import { FixedClock, throttleStoreContract } from '../testing';
import { InMemoryThrottleStore } from './throttle-store';

describe(InMemoryThrottleStore.name, () => {
  throttleStoreContract(() => {
    const clock = new FixedClock();
    return Promise.resolve({
      store: new InMemoryThrottleStore(clock),
      advance: (milliseconds) => Promise.resolve(clock.advance(milliseconds)),
      windowMs: 60_000,
    });
  });
});
