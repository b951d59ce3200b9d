import { Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** What {@link ForegroundRequests.track} needs of a response: its one `close` event. */
interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Longest a slice of background work waits for the requests in flight, counted in slices: work
 * under a constant stream of requests still runs one slice in every `1 + STEP_ASIDE_SLICES`.
 */
export const STEP_ASIDE_SLICES = 5;

/**
 * The HTTP requests this process is answering, so that CPU-bound background work in the same
 * process (an export's pages) steps aside for them. Work cut into slices with a bare turn of the
 * event loop between them still takes a whole core: every await of a concurrent request waits
 * behind a slice, and the request's own database work shares the CPU with it. While a request is
 * in flight, the background waits between two slices until no request is (at most
 * {@link STEP_ASIDE_SLICES} slices), as PostgreSQL's `vacuum_cost_delay` holds its own background
 * work back for the foreground; with none in flight it runs at full speed. Measured at 1,000,000
 * contacts: a search’s p99 during a sensitive export 1.24× idle, against 2.41× with a pause of
 * one slice, the export 10–40 % longer while searches run (docs/exports.md).
 */
@Injectable()
export class ForegroundRequests {
  private inFlight = 0;
  /** Background work waiting for the requests in flight to be answered. */
  private readonly waiting = new Set<() => void>();

  /** Whether a request is being answered now. */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Counts a request from now until its response closes (sent, or its connection gone). */
  track(response: Closable): void {
    this.inFlight += 1;
    response.once('close', () => {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        for (const resume of this.waiting) {
          resume();
        }
        this.waiting.clear();
      }
    });
  }

  /**
   * Ends a slice of background work: a bare turn of the event loop when no request is in flight,
   * else a wait until none is, of at most {@link STEP_ASIDE_SLICES} slices of `sliceMs`.
   */
  async yieldTurn(sliceMs: number): Promise<void> {
    if (this.inFlight === 0) {
      await nextTurn();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let resume!: () => void;
    await new Promise<void>((resolve) => {
      resume = resolve;
      this.waiting.add(resolve);
      timer = setTimeout(resolve, STEP_ASIDE_SLICES * sliceMs);
    });
    clearTimeout(timer);
    this.waiting.delete(resume);
  }
}
