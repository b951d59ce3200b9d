import type { ExportRow } from '../export-source';

/**
 * Reads the source's batches on demand and hands them out in runs of at most N rows, so a writer can
 * fill a sheet or part up to its limit and then ask whether another one is needed.
 */
export class RowCursor {
  private readonly batches: AsyncIterator<ExportRow[]>;
  private batch: ExportRow[] = [];
  private index = 0;
  private finished = false;

  constructor(
    batches: AsyncIterable<ExportRow[]>,
    private readonly width: number,
  ) {
    this.batches = batches[Symbol.asyncIterator]();
  }

  /** Up to `max` next rows (at least one), or `undefined` once the source is exhausted. */
  async take(max: number): Promise<ExportRow[] | undefined> {
    if (!(await this.hasMore())) {
      return undefined;
    }
    const end = Math.min(this.batch.length, this.index + max);
    const rows =
      this.index === 0 && end === this.batch.length
        ? this.batch
        : this.batch.slice(this.index, end);
    this.index = end;
    return rows;
  }

  /** Whether rows remain; reads the next non-empty batch when the current one is used up. */
  async hasMore(): Promise<boolean> {
    while (this.index >= this.batch.length) {
      if (this.finished) {
        return false;
      }
      const next = await this.batches.next();
      if (next.done) {
        this.finished = true;
        return false;
      }
      this.checkWidth(next.value);
      this.batch = next.value;
      this.index = 0;
    }
    return true;
  }

  /** Stops the source early (the consumer stopped reading the file, or a write failed). */
  async close(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      await this.batches.return?.();
    }
  }

  private checkWidth(rows: ExportRow[]): void {
    for (const row of rows) {
      if (row.length !== this.width) {
        throw new Error(
          `An export row has ${row.length} cells for ${this.width} columns: the source must yield one cell per planned column.`,
        );
      }
    }
  }
}
