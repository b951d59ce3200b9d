/**
 * Rows per keyset page (the history source). A page is planned alone (on PostgreSQL a team-wide
 * scope is collected and sorted again per page), so pages are large (bench/exports, records at
 * 300,000 contacts before they streamed: 1,000 → 3.3× COPY, 5,000 → 1.2×).
 */
export const KEYSET_PAGE_SIZE = 5000;

/**
 * The pages of a walk in id order (`fetch` returns up to `KEYSET_PAGE_SIZE` items with ids above
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
    if (page.length < KEYSET_PAGE_SIZE) {
      return;
    }
  }
}
