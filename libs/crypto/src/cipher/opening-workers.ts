import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OnModuleDestroy } from '@nestjs/common';
import { partOfPage, type OpenedPage, type SealedPage } from './sealed-page';

/** Options of the opening workers (`CryptoModuleOptions.openingWorkers`). */
export interface OpeningWorkersOptions {
  /**
   * Worker threads that open pages of sealed values; `0` opens them on the calling thread.
   * Default: {@link DEFAULT_OPENING_THREADS}.
   */
  threads?: number;
  /** Fewer values than this in a page are opened on the calling thread (no round trip). Default 500. */
  fromValues?: number;
}

/**
 * None: pages open on the calling thread. On the 2-core reference machine two workers raised a
 * 1,000,000-contact sensitive export by ~8 % and its RSS by ~170 MB (docs/benchmarks.md); they pay
 * where spare cores exist (set 1 or 2: one export keeps one page in flight and splits it between
 * them).
 */
export const DEFAULT_OPENING_THREADS = 0;

/** Default of {@link OpeningWorkersOptions.fromValues}: a page of values an export opens is ~3,000. */
export const OPENING_WORKERS_FROM_VALUES = 500;

interface Pending {
  resolve: (opened: OpenedPage) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker?: Worker;
  pending: Map<number, Pending>;
}

type Answer = { id: number; opened: OpenedPage } | { id: number; failed: string };

/**
 * A small pool of worker threads that open pages of sealed values (`openPage`) off the calling
 * thread, for readers of many values (exports): each page goes with its own keys — the account's
 * data keys and the page's wrapped subject keys — so a worker holds key material only while it
 * opens a page. Threads start at first use and do not keep the process alive; `close` (on module
 * destroy) ends them, and a page in flight then fails. A worker that dies fails its pages; the
 * next page starts a new one.
 */
export class OpeningWorkers implements OnModuleDestroy {
  /** Worker threads (0: none, pages open on the calling thread). */
  readonly threads: number;
  /** Pages with fewer values open on the calling thread. */
  readonly fromValues: number;
  private readonly slots: Slot[];
  private nextId = 0;
  private closed = false;

  constructor(options: OpeningWorkersOptions = {}) {
    this.threads = Math.max(0, Math.floor(options.threads ?? DEFAULT_OPENING_THREADS));
    this.fromValues = options.fromValues ?? OPENING_WORKERS_FROM_VALUES;
    this.slots = Array.from({ length: this.threads }, () => ({ pending: new Map() }));
  }

  /** Whether a page of `values` sealed values is opened by a worker. */
  takes(values: number): boolean {
    return this.threads > 0 && !this.closed && values >= this.fromValues;
  }

  /**
   * Opens a page: in parts, one per worker, when it is large enough for each to get
   * `fromValues` values (one export keeps one page in flight: both cores then open it); the
   * outcomes in the page's order. Rejects when a worker fails or the pool closes.
   */
  async open(page: SealedPage): Promise<OpenedPage> {
    const parts = Math.max(
      1,
      Math.min(this.threads, Math.floor(page.envelopes.length / this.fromValues)),
    );
    if (parts === 1) {
      return this.openPart(page);
    }
    const size = Math.ceil(page.envelopes.length / parts);
    const opened = await Promise.all(
      Array.from({ length: parts }, (_, n) =>
        this.openPart(partOfPage(page, n * size, (n + 1) * size)),
      ),
    );
    return {
      values: opened.flatMap((part) => part.values),
      unreadable: opened.flatMap((part) => part.unreadable),
    };
  }

  /** Opens a page in the least busy worker. */
  private openPart(page: SealedPage): Promise<OpenedPage> {
    if (this.closed || this.threads === 0) {
      return Promise.reject(new Error('The opening workers are closed: open the page inline.'));
    }
    const slot = this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const worker = (slot.worker ??= this.started(slot));
    const id = this.nextId++;
    return new Promise<OpenedPage>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      // A busy worker keeps the process alive while it has a page to answer, an idle one not.
      worker.ref();
      worker.postMessage({ id, page });
    });
  }

  /** Ends the workers; pages in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => this.stop(slot, 'the pool was closed')));
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  private started(slot: Slot): Worker {
    const worker = spawn();
    worker.unref();
    worker.on('message', ({ id, ...answer }: Answer) => {
      const pending = slot.pending.get(id);
      slot.pending.delete(id);
      if (slot.pending.size === 0) {
        worker.unref();
      }
      if ('opened' in answer) {
        pending?.resolve(answer.opened);
      } else {
        pending?.reject(failure(`it failed (${answer.failed})`));
      }
    });
    // Only the error's name: whatever else it says stays in the worker.
    worker.on('error', (error) => void this.stop(slot, `it failed (${error.name})`, worker));
    worker.on('exit', (code) => void this.stop(slot, `it stopped (exit code ${code})`, worker));
    return worker;
  }

  /** Fails the slot's pages and ends its worker (if still `worker`: a newer one is kept). */
  private async stop(slot: Slot, why: string, worker = slot.worker): Promise<void> {
    if (!worker || slot.worker !== worker) {
      return;
    }
    slot.worker = undefined;
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    for (const { reject } of pending) {
      reject(failure(why));
    }
    await worker.terminate();
  }
}

function failure(why: string): Error {
  return new Error(`A worker opening sealed values did not open a page: ${why}.`);
}

/**
 * A worker running opening-worker: the compiled file beside this one in a built app; under a
 * TypeScript runtime (tests, benchmarks) the source, through the same register hook.
 */
function spawn(): Worker {
  const extension = extname(__filename);
  const entry = join(__dirname, `opening-worker${extension}`);
  if (extension === '.js') {
    return new Worker(entry);
  }
  return new Worker(
    `require(${JSON.stringify(require.resolve('@swc-node/register'))}); require(${JSON.stringify(entry)});`,
    { eval: true },
  );
}
