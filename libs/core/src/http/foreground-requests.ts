import { Injectable } from '@nestjs/common';
import { setImmediate as nextTurn, setTimeout as pause } from 'node:timers/promises';

/** What {@link ForegroundRequests.track} needs of a response: its one `close` event. */
interface Closable {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The HTTP requests this process is answering, so that CPU-bound background work in the same
 * process (an export's pages) steps aside for them. Work cut into slices with a bare turn of the
 * event loop between them still takes a whole core: every await of a concurrent request waits
 * behind a slice, and the request's own database work shares the CPU with it (a search's p50 rose
 * 28 → 66 ms during a sensitive export, docs/exports.md). While a request is in flight, the
 * background pauses as long as its slice between slices: half the CPU is left to the foreground
 * then, as PostgreSQL's `vacuum_cost_delay` does for its own background work; with none in flight
 * it runs at full speed.
 */
@Injectable()
export class ForegroundRequests {
  private inFlight = 0;

  /** Whether a request is being answered now. */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Counts a request from now until its response closes (sent, or its connection gone). */
  track(response: Closable): void {
    this.inFlight += 1;
    response.once('close', () => {
      this.inFlight -= 1;
    });
  }

  /**
   * Ends a slice of background work: a bare turn of the event loop when no request is in flight,
   * else a pause of `sliceMs` (the slice's own length), in which requests run alone.
   */
  async yieldTurn(sliceMs: number): Promise<void> {
    if (this.inFlight > 0) {
      await pause(sliceMs);
    } else {
      await nextTurn();
    }
  }
}
