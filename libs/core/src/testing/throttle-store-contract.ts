import type { ThrottleStore } from '../throttling/throttle-store';

/** A store under test and how to let its time pass (a fake clock, or real waiting). */
export interface ThrottleStoreUnderTest {
  store: ThrottleStore;
  /** Lets `milliseconds` pass for the store. */
  advance: (milliseconds: number) => Promise<void>;
  /** A window length that `advance` can outlast quickly. */
  windowMs: number;
}

/**
 * What every {@link ThrottleStore} must do, as jest cases: call inside a `describe`, with a
 * factory for a fresh store (and fresh keys) per case.
 */
export function throttleStoreContract(make: () => Promise<ThrottleStoreUnderTest>): void {
  it('counts hits in a window that ends windowMs after the first hit', async () => {
    const { store, windowMs } = await make();
    await expect(store.peek('a')).resolves.toBeNull();
    const first = await store.hit('a', windowMs);
    expect(first.count).toBe(1);
    expect(first.resetInMs).toBeGreaterThan(0);
    expect(first.resetInMs).toBeLessThanOrEqual(windowMs);
    await expect(store.hit('a', windowMs)).resolves.toMatchObject({ count: 2 });
    await expect(store.peek('a')).resolves.toMatchObject({ count: 2 });
    await expect(store.peek('b')).resolves.toBeNull();
  });

  it('starts again from zero when the window has ended', async () => {
    const { store, advance, windowMs } = await make();
    await store.hit('a', windowMs);
    await store.hit('a', windowMs);
    await advance(windowMs + 50);
    await expect(store.peek('a')).resolves.toBeNull();
    await expect(store.hit('a', windowMs)).resolves.toMatchObject({ count: 1 });
  });

  it('forgets a key on reset, and only that key', async () => {
    const { store, windowMs } = await make();
    await store.hit('a', windowMs);
    await store.hit('b', windowMs);
    await store.reset('a');
    await expect(store.peek('a')).resolves.toBeNull();
    await expect(store.peek('b')).resolves.toMatchObject({ count: 1 });
  });

  it('counts concurrent hits exactly', async () => {
    const { store, windowMs } = await make();
    const counts = await Promise.all(
      Array.from({ length: 25 }, () => store.hit('burst', windowMs).then((w) => w.count)),
    );
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
}
