import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CustosError } from '../errors/custos-error';

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&after=` on every list that can grow. */
export class PageQueryDto {
  @ApiPropertyOptional({
    description: 'Page size.',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    example: 25,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Opaque cursor from `paging.next.after` of the previous page.',
    example: 'eyJrIjpbIjAxOTMiXX0',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  after?: string;
}

export class NextPageDto {
  @ApiProperty({
    description: 'Pass as `after` to fetch the next page.',
    example: 'eyJrIjpbIjAxOTMiXX0',
  })
  after!: string;
}

export class PagingDto {
  @ApiPropertyOptional({ type: NextPageDto, description: 'Absent on the last page.' })
  next?: NextPageDto;
}

/** A page of results, shaped like HubSpot's CRM API. */
export interface Page<T> {
  results: T[];
  paging: PagingDto;
}

/** Encodes the sort-key values of the last row of a page as an opaque cursor. */
export function encodeCursor(keys: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify({ k: keys }), 'utf8').toString('base64url');
}

/** Decodes a cursor; a forged or corrupted cursor is a 422 naming `after`. */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (
      Array.isArray(parsed.k) &&
      parsed.k.length === arity &&
      parsed.k.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return parsed.k;
    }
  } catch {
    // fall through to the error below
  }
  throw CustosError.invalidField(
    'core.invalid_cursor',
    'after',
    'is not a cursor returned by this list',
  );
}

/**
 * Builds a page from `limit + 1` rows fetched in key order: the extra row only tells whether a
 * next page exists.
 */
export function toPage<Row, Out>(
  rows: readonly Row[],
  limit: number,
  keyOf: (row: Row) => readonly (string | number)[],
  map: (row: Row) => Out,
): Page<Out> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    results: pageRows.map(map),
    paging:
      rows.length > limit && last !== undefined
        ? { next: { after: encodeCursor(keyOf(last)) } }
        : {},
  };
}

/**
 * Fetches one page of `builder`'s rows in ascending order of a unique key column (keyset
 * pagination: no OFFSET, so page N costs what page 1 costs). The cursor holds the last key.
 * `fetch` reads the rows: entities by default, or e.g. `(b) => b.getRawMany()`.
 */
export function keysetPage<T extends ObjectLiteral>(
  builder: SelectQueryBuilder<T>,
  keyColumn: string,
  keyOf: (row: T) => string,
  page: { limit?: number; after?: string },
): Promise<Page<T>>;
export function keysetPage<T extends ObjectLiteral, Row>(
  builder: SelectQueryBuilder<T>,
  keyColumn: string,
  keyOf: (row: Row) => string,
  page: { limit?: number; after?: string },
  fetch: (builder: SelectQueryBuilder<T>) => Promise<Row[]>,
): Promise<Page<Row>>;
export async function keysetPage<T extends ObjectLiteral, Row>(
  builder: SelectQueryBuilder<T>,
  keyColumn: string,
  keyOf: (row: Row) => string,
  page: { limit?: number; after?: string },
  fetch: (builder: SelectQueryBuilder<T>) => Promise<Row[]> = (b) =>
    b.getMany() as unknown as Promise<Row[]>,
): Promise<Page<Row>> {
  return orderedKeysetPage(builder, keyColumn, keyOf, page, fetch, 'ASC');
}

/**
 * {@link keysetPage} from the newest entity back, for a time-ordered unique key column (UUIDv7
 * ids): logs and inboxes read from the latest entry.
 */
export function newestFirstPage<T extends ObjectLiteral>(
  builder: SelectQueryBuilder<T>,
  keyColumn: string,
  keyOf: (row: T) => string,
  page: { limit?: number; after?: string },
): Promise<Page<T>> {
  return orderedKeysetPage(builder, keyColumn, keyOf, page, (b) => b.getMany(), 'DESC');
}

async function orderedKeysetPage<T extends ObjectLiteral, Row>(
  builder: SelectQueryBuilder<T>,
  keyColumn: string,
  keyOf: (row: Row) => string,
  page: { limit?: number; after?: string },
  fetch: (builder: SelectQueryBuilder<T>) => Promise<Row[]>,
  order: 'ASC' | 'DESC',
): Promise<Page<Row>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  if (page.after !== undefined) {
    const [after] = decodeCursor(page.after, 1);
    builder.andWhere(`${keyColumn} ${order === 'ASC' ? '>' : '<'} :keysetAfter`, {
      keysetAfter: after,
    });
  }
  const rows = await fetch(builder.orderBy(keyColumn, order).limit(limit + 1));
  return toPage(
    rows,
    limit,
    (row) => [keyOf(row)],
    (row) => row,
  );
}

/** The same page with each result mapped (e.g. entity → DTO). */
export function mapPage<T, Out>(page: Page<T>, map: (row: T) => Out): Page<Out> {
  return { results: page.results.map(map), paging: page.paging };
}
