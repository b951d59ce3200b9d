import type { ClsService } from 'nestjs-cls';

/**
 * Runs queued jobs (by id) one at a time in the background, outside the context of the request
 * that queued them: the work outlives it. An id already waiting is not queued twice. `stop()`
 * lets the job in progress finish and leaves the rest (workers resume them at the next start).
 */
export class BackgroundQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private draining: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly cls: ClsService,
    private readonly run: (id: string) => Promise<void>,
    private readonly onError: (error: unknown, id: string) => void,
  ) {}

  /** Whether `stop()` was called: long jobs check it between their batches. */
  get stopped(): boolean {
    return this.stopping;
  }

  /** Queues a job; returns at once. */
  enqueue(id: string): void {
    if (this.stopping || this.queued.has(id)) {
      return;
    }
    this.queued.add(id);
    this.queue.push(id);
    this.kick();
  }

  /** Takes no more jobs and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.draining;
  }

  private kick(): void {
    if (this.draining || this.stopping || this.queue.length === 0) {
      return;
    }
    this.draining = this.cls
      .exit(() => this.drain())
      .finally(() => {
        this.draining = null;
        this.kick();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopping) {
      const id = this.queue.shift()!;
      try {
        await this.run(id);
      } catch (error) {
        this.onError(error, id);
      } finally {
        this.queued.delete(id);
      }
    }
  }
}
