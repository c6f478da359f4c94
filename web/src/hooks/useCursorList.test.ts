import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';

import type { Page } from '../api';
import { cursorListOptions, filterRows, shownCount } from './useCursorList';

describe('cursor list', () => {
  it('asks for the first page without a cursor, then follows `next` until it is null', async () => {
    const pages: Record<string, Page<number>> = {
      first: { items: [1, 2], next: 'c2' },
      c2: { items: [3, 4], next: 'c3' },
      c3: { items: [5], next: null },
    };
    const calls: { limit: number; cursor: string | null }[] = [];
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const options = cursorListOptions<number>({
      queryKey: ['numbers'],
      pageSize: 2,
      fetchPage: async (params) => {
        calls.push(params);
        return pages[params.cursor ?? 'first'];
      },
    });

    const data = await client.fetchInfiniteQuery({ ...options, pages: 5 });

    expect(calls).toEqual([
      { limit: 2, cursor: null },
      { limit: 2, cursor: 'c2' },
      { limit: 2, cursor: 'c3' },
    ]);
    expect(data.pages.flatMap((p) => p.items)).toEqual([1, 2, 3, 4, 5]);
    expect(options.getNextPageParam(pages.c3, [], null, [])).toBeUndefined();
    expect(options.getNextPageParam(pages.first, [], null, [])).toBe('c2');
  });

  it('asks for 50 rows a page unless told', async () => {
    let limit = 0;
    const client = new QueryClient();
    await client.fetchInfiniteQuery(
      cursorListOptions<number>({
        queryKey: ['default'],
        fetchPage: async (params) => {
          limit = params.limit;
          return { items: [], next: null };
        },
      }),
    );
    expect(limit).toBe(50);
  });

  it('filters the loaded rows by trimmed, case-insensitive text', () => {
    const rows = [{ name: 'CRM import' }, { name: 'Nightly export' }];
    const text = (r: { name: string }) => r.name;
    expect(filterRows(rows, '  crm ', text)).toEqual([{ name: 'CRM import' }]);
    expect(filterRows(rows, 'PORT', text)).toHaveLength(2);
    expect(filterRows(rows, 'none', text)).toEqual([]);
    expect(filterRows(rows, '   ', text)).toBe(rows);
    expect(filterRows(rows, 'crm', undefined)).toBe(rows); // server-side search: no client filter
  });

  it('counts the rows shown', () => {
    expect(shownCount(1, ['key', 'keys'], false)).toBe('1 key shown');
    expect(shownCount(0, ['key', 'keys'], false)).toBe('0 keys shown');
    expect(shownCount(50, ['user', 'users'], true)).toBe('50 users shown, more available');
    expect(shownCount(2, ['entry', 'entries'], true, 'older entries available')).toBe('2 entries shown, older entries available');
  });
});
