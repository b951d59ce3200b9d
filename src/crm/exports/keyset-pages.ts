/**
 * Rows per batch of an export: the records source fetches them from one cursor (streamed-rows.ts),
 * the history source reads keyset pages of them. A keyset page is planned alone (on PostgreSQL a
 * team-wide scope is collected and sorted again per page), so pages are large.
 */
export const EXPORT_BATCH_SIZE = 5000;

/**
 * The pages of a walk in id order (`fetch` returns up to `EXPORT_BATCH_SIZE` items with ids above
 * `after`, ascending), never OFFSET and never the whole set in memory; ends at a short page or
 * when `signal` aborts.
 */
export async function* keysetPages<T>(
  fetch: (after: string | undefined) => Promise<T[]>,
  idOf: (item: T) => string,
  signal: AbortSignal,
): AsyncGenerator<T[]> {
  let after: string | undefined;
  while (!signal.aborted) {
    const page = await fetch(after);
    if (page.length > 0 && !signal.aborted) {
      after = idOf(page[page.length - 1]);
      yield page;
    }
    if (page.length < EXPORT_BATCH_SIZE) {
      return;
    }
  }
}
