// A cursor-paginated list (GET …?limit=&cursor= answering Page<T>) over TanStack's useInfiniteQuery:
// the loaded pages flattened into rows, optionally filtered over the loaded rows by typed text.

import { infiniteQueryOptions, useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { useMemo } from 'react';

import type { Page } from '../api';

/** What one list endpoint needs to fetch a page: `(params, signal) => endpoint.list(params, signal)`. */
export type FetchPage<T> = (params: { limit: number; cursor: string | null }, signal: AbortSignal) => Promise<Page<T>>;

export interface CursorListOptions<T> {
  queryKey: QueryKey;
  fetchPage: FetchPage<T>;
  /** Rows asked for per page; 50 unless told. */
  pageSize?: number;
  /** Text typed in the list's filter box; matched case-insensitively against `haystack(row)`. */
  filter?: string;
  /** The text a row is found by. Without it the rows are not filtered (e.g. a server-side `?q=`). */
  haystack?: (row: T) => string;
}

/** The useInfiniteQuery options for a cursor list: the first page has no cursor, `next: null` ends it. */
export function cursorListOptions<T>({ queryKey, fetchPage, pageSize = 50 }: CursorListOptions<T>) {
  return infiniteQueryOptions({
    queryKey,
    queryFn: ({ pageParam, signal }) => fetchPage({ limit: pageSize, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page<T>) => last.next ?? undefined,
  });
}

/** The loaded rows whose haystack contains the trimmed filter, ignoring case; all of them for a blank filter. */
export function filterRows<T>(rows: T[], filter: string | undefined, haystack: ((row: T) => string) | undefined): T[] {
  const f = (filter ?? '').trim().toLowerCase();
  if (!f || !haystack) return rows;
  return rows.filter((row) => haystack(row).toLowerCase().includes(f));
}

/** "1 key shown", "3 keys shown, more available". */
export function shownCount(
  count: number,
  [singular, plural]: readonly [string, string],
  hasMore: boolean,
  moreText = 'more available',
): string {
  return `${count} ${count === 1 ? singular : plural} shown${hasMore ? `, ${moreText}` : ''}`;
}

/**
 * A cursor-paginated list: `query` (isPending, isError, error, refetch, hasNextPage, fetchNextPage, …)
 * and `rows`, every loaded page's items after the filter.
 */
export function useCursorList<T>(options: CursorListOptions<T>) {
  const query = useInfiniteQuery(cursorListOptions(options));
  const { filter, haystack } = options;
  const rows = useMemo(
    () => filterRows(query.data?.pages.flatMap((p) => p.items) ?? [], filter, haystack),
    // `haystack` is a pure accessor; leaving it out avoids re-filtering on every render.
    [query.data, filter],
  );
  return { query, rows };
}
