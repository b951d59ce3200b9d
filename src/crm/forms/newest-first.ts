import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage, type Page } from '@custos/core';

/**
 * A keyset page of `builder`'s entities, newest first by a time-ordered unique id column
 * (UUIDv7): logs and inboxes read from the latest entry back.
 */
export async function newestFirstPage<T extends ObjectLiteral>(
  builder: SelectQueryBuilder<T>,
  keyColumn: string,
  keyOf: (row: T) => string,
  page: { limit?: number; after?: string },
): Promise<Page<T>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  if (page.after !== undefined) {
    const [after] = decodeCursor(page.after, 1);
    builder.andWhere(`${keyColumn} < :newestFirstAfter`, { newestFirstAfter: after });
  }
  const rows = await builder
    .orderBy(keyColumn, 'DESC')
    .limit(limit + 1)
    .getMany();
  return toPage(
    rows,
    limit,
    (row) => [keyOf(row)],
    (row) => row,
  );
}
