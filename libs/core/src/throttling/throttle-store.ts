import { createHash } from 'node:crypto';
import { Clock } from '../clock';

/** A key's fixed window: hits counted since it opened, and when it ends. */
export interface ThrottleWindow {
  count: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  resetInMs: number;
}

/**
 * Counters of hits per key in fixed windows, for throttling (sign-in failures, public form
 * submissions). The default keeps them in this process; give `CoreModule.forRoot` a shared store
 * (the reference server's Redis store) when several instances must count together.
 * Keys should not be personal data in clear: hash emails and addresses first.
 */
export abstract class ThrottleStore {
  /** Counts one hit of `key`; the first hit opens a window of `windowMs`. */
  abstract hit(key: string, windowMs: number): Promise<ThrottleWindow>;
  /** The key's open window, or `null` when it has none. */
  abstract peek(key: string): Promise<ThrottleWindow | null>;
  /** Closes the key's window (e.g. after a successful sign-in). */
  abstract reset(key: string): Promise<void>;
}

/**
 * A store key for throttling by `value` (an email, an address): `kind:` and a SHA-256 digest, so
 * personal data never sits in the store in clear.
 */
export function throttleKey(kind: string, value: string): string {
  return `${kind}:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Windows kept before expired ones are swept (bounds memory under a spray of keys). */
const SWEEP_THRESHOLD = 10_000;

/** {@link ThrottleStore} in this process's memory: right for one server instance. */
export class InMemoryThrottleStore extends ThrottleStore {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly clock: Clock) {
    super();
  }

  hit(key: string, windowMs: number): Promise<ThrottleWindow> {
    const now = this.clock.now().getTime();
    let window = this.open(key, now);
    if (!window) {
      this.sweep(now);
      window = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve({ count: window.count, resetInMs: window.endsAt - now });
  }

  peek(key: string): Promise<ThrottleWindow | null> {
    const now = this.clock.now().getTime();
    const window = this.open(key, now);
    return Promise.resolve(window ? { count: window.count, resetInMs: window.endsAt - now } : null);
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  private open(key: string, now: number): { count: number; endsAt: number } | undefined {
    const window = this.windows.get(key);
    return window && now < window.endsAt ? window : undefined;
  }

  private sweep(now: number): void {
    if (this.windows.size < SWEEP_THRESHOLD) {
      return;
    }
    for (const [key, window] of this.windows) {
      if (now >= window.endsAt) {
        this.windows.delete(key);
      }
    }
  }
}
