// The frame every list page shares: a toolbar (filter or search box, actions), the table with its
// sortable headers and loading / empty rows, the "Could not load" alert, the count and "Load more".
// A 403 shows the "Access refused" alert instead of all of it.

import { Button, Group, Paper, Skeleton, Table, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import type { ReactNode } from 'react';

import { AccessRefused, isAccessRefused, LoadError } from './ErrorAlert';
import { SortableTh, type SortState } from './SortableTable';

/** A header cell: sortable when it has a sortKey; no label for an actions column. */
export interface ListColumn<K extends string> {
  label?: string;
  sortKey?: K;
}

/** The part of a useInfiniteQuery result (see useCursorList) the frame reads. */
export interface ListQueryState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
  hasNextPage: boolean;
  fetchNextPage: () => unknown;
  isFetchingNextPage: boolean;
}

export interface ListSearch {
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
}

interface Props<T, K extends string> {
  query: ListQueryState;
  /** Why a 403 happened, shown in the "Access refused" alert, e.g. "Administration needs the administrator role." */
  refused: string;
  search: ListSearch;
  /** Buttons at the right of the toolbar, e.g. "New user". */
  actions?: ReactNode;
  /** The table's accessible name. */
  label: string;
  /** Below this width the table scrolls sideways. */
  minWidth: number;
  columns: ListColumn<K>[];
  sort: SortState<K>;
  onSort: (key: K) => void;
  /** The rows to show, filtered and sorted. */
  rows: T[];
  /** One <Table.Tr key=…> per row. */
  renderRow: (row: T) => ReactNode;
  /** Placeholder rows while the first page loads. */
  skeletonRows?: number;
  /** The text when there is no row (e.g. "No users yet." or "No user matches …"). */
  empty: ReactNode;
  /** The footer text once loaded, e.g. shownCount(…). */
  count: string;
  loadMoreLabel?: string;
  /** Rendered after the list: the page's modals. */
  children?: ReactNode;
}

export function ListView<T, K extends string>({
  query, refused, search, actions, label, minWidth, columns, sort, onSort, rows, renderRow,
  skeletonRows = 3, empty, count, loadMoreLabel = 'Load more', children,
}: Props<T, K>) {
  if (query.isError && isAccessRefused(query.error)) {
    return <AccessRefused needs={refused} error={query.error} />;
  }

  return (
    <>
      <Group justify="space-between" mb="md" wrap="wrap" align="flex-end">
        <TextInput
          label={search.label}
          placeholder={search.placeholder}
          leftSection={<IconSearch size={16} />}
          value={search.value}
          onChange={(e) => search.onChange(e.currentTarget.value)}
          w={320}
        />
        {actions}
      </Group>

      {query.isError ? <LoadError error={query.error} onRetry={() => query.refetch()} /> : null}

      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={minWidth} type="native">
          <Table striped highlightOnHover verticalSpacing="xs" aria-label={label}>
            <Table.Thead>
              <Table.Tr>
                {columns.map((c, i) =>
                  c.sortKey ? (
                    <SortableTh key={i} sortKey={c.sortKey} sort={sort} onSort={onSort}>{c.label}</SortableTh>
                  ) : (
                    <Table.Th key={i}>{c.label}</Table.Th>
                  ),
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.isPending
                ? Array.from({ length: skeletonRows }, (_, i) => (
                    <Table.Tr key={i}>
                      <Table.Td colSpan={columns.length}><Skeleton h={20} /></Table.Td>
                    </Table.Tr>
                  ))
                : null}
              {!query.isPending && rows.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={columns.length}>
                    <Text c="dimmed" ta="center" py="md">{empty}</Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {rows.map(renderRow)}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      <Group justify="space-between" mt="sm">
        <Text size="sm" c="dimmed">{query.isPending ? 'Loading…' : count}</Text>
        {query.hasNextPage ? (
          <Button variant="default" size="xs" onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>
            {loadMoreLabel}
          </Button>
        ) : null}
      </Group>

      {children}
    </>
  );
}
