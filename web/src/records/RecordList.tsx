// A list of one resource's records, driven by the data model: server-side search (?q=) and sort
// (?order=), cursor pagination with "Load more", the total from /_count, optional equality
// filters, and the columns the page chooses.

import { Anchor, Group, Table } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';

import { records, type DataRecord, type QueryValue, type ResourceDef } from '../api';
import { ListView, type ListColumn } from '../components/ListView';
import type { SortState } from '../components/SortableTable';
import { useCursorList } from '../hooks/useCursorList';
import { countLabel, formFields, formatCount, formatValue, recordTitle } from './fields';
import { recordsKey } from './useSchema';
import { ValueCell } from './ValueCell';

interface Props {
  resource: ResourceDef;
  /** Field or link names, in order. */
  columns: string[];
  /** Equality filters sent as ?field=value (empty values are left out). */
  filters?: Record<string, QueryValue>;
  searchPlaceholder: string;
  /** Toolbar content at the right (filters, column chooser, "New …"). */
  actions?: ReactNode;
  /** The first column links here. */
  rowHref?: (row: DataRecord) => string | null;
  /** The last cell of each row (buttons). */
  rowActions?: (row: DataRecord) => ReactNode;
  initialSort?: SortState<string>;
  /** Columns the server cannot sort on (computed ones, e.g. subscriberCount). */
  unsortable?: string[];
  refused?: string;
  /** Modals. */
  children?: ReactNode;
}

export function RecordList({
  resource, columns, filters, searchPlaceholder, actions, rowHref, rowActions,
  initialSort = { key: 'id', dir: 'desc' }, unsortable = [], refused, children,
}: Props) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [sort, setSort] = useState<SortState<string>>(initialSort);
  const order = `${sort.dir === 'desc' ? '-' : ''}${sort.key}`;
  const cleanFilters = useMemo(
    () => Object.fromEntries(Object.entries(filters ?? {}).filter(([, v]) => v !== '' && v !== null && v !== undefined)),
    [filters],
  );

  const { query, rows } = useCursorList({
    queryKey: [...recordsKey(resource.name), 'list', { q, order, filters: cleanFilters }],
    fetchPage: (params, signal) => records.list(resource.name, { ...params, q, order, filters: cleanFilters }, signal),
  });
  const count = useQuery({
    queryKey: [...recordsKey(resource.name), 'count', { q, filters: cleanFilters }],
    queryFn: ({ signal }) => records.count(resource.name, { q, filters: cleanFilters }, signal),
  });

  const byName = useMemo(() => new Map(formFields(resource).map((f) => [f.name, f])), [resource]);
  const listColumns: ListColumn<string>[] = [
    ...columns.map((c) => ({ label: byName.get(c)?.label ?? c, sortKey: unsortable.includes(c) ? undefined : c })),
    ...(rowActions ? [{}] : []),
  ];
  const toggle = (key: string) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));

  const singular = resource.label.toLowerCase();
  const plural = resource.pluralLabel.toLowerCase();
  const total = count.data?.count;
  const countText =
    total === undefined
      ? `${formatCount(rows.length)} shown`
      : `${countLabel(total, singular, plural)}${query.hasNextPage ? ` · ${formatCount(rows.length)} shown` : ''}`;
  const filtered = q || Object.keys(cleanFilters).length > 0;

  return (
    <ListView
      query={query}
      refused={refused ?? `Reading ${plural} needs a role with access to data.`}
      search={{ label: `Search ${plural}`, placeholder: searchPlaceholder, value: search, onChange: setSearch }}
      actions={actions ? <Group gap="sm" align="flex-end">{actions}</Group> : undefined}
      label={resource.pluralLabel}
      minWidth={Math.max(640, columns.length * 150)}
      columns={listColumns}
      sort={sort}
      onSort={toggle}
      rows={rows}
      empty={filtered ? `No ${singular} matches.` : `No ${plural} yet.`}
      count={countText}
      renderRow={(row) => (
        <Table.Tr key={row.id} data-id={row.id}>
          {columns.map((c, i) => {
            const href = i === 0 && rowHref ? rowHref(row) : null;
            return (
              <Table.Td key={c}>
                {href ? (
                  <Anchor component={Link} to={href} size="sm" fw={500} aria-label={`Open ${recordTitle(resource, row)}`}>
                    {row[c] === null || row[c] === undefined || row[c] === '' ? `#${row.id}` : formatValue(byName.get(c), row[c])}
                  </Anchor>
                ) : (
                  <ValueCell field={byName.get(c)} value={row[c]} />
                )}
              </Table.Td>
            );
          })}
          {rowActions ? <Table.Td style={{ whiteSpace: 'nowrap', textAlign: 'right' }}>{rowActions(row)}</Table.Td> : null}
        </Table.Tr>
      )}
    >
      {children}
    </ListView>
  );
}
