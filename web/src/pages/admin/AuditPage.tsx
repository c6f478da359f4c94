// Administration > Audit trail: newest first from the server, cursor pagination,
// filter and sort over the loaded entries.

import { Code, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';

import { audit, type AuditEntry } from '../../api';
import { ListView, type ListColumn } from '../../components/ListView';
import { useSort } from '../../components/SortableTable';
import { formatDateTime } from '../../format';
import { shownCount, useCursorList } from '../../hooks/useCursorList';

type SortKey = 'at' | 'actorName' | 'action' | 'target';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Time', sortKey: 'at' },
  { label: 'Actor', sortKey: 'actorName' },
  { label: 'Action', sortKey: 'action' },
  { label: 'Target', sortKey: 'target' },
  { label: 'Details' },
];

const target = (e: AuditEntry) => `${e.targetType}${e.targetId !== null && e.targetId !== undefined && e.targetId !== '' ? ` #${e.targetId}` : ''}`;

function detailsText(details: AuditEntry['details']): string {
  if (!details || Object.keys(details).length === 0) return '';
  return JSON.stringify(details);
}

/** The details object as "key value" pairs; nested values as compact JSON. */
function Details({ details }: { details: AuditEntry['details'] }) {
  const entries = Object.entries(details ?? {});
  if (entries.length === 0) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Group gap={6} wrap="wrap">
      {entries.map(([key, value]) => (
        <Text key={key} size="xs" span style={{ wordBreak: 'break-all' }}>
          <Text span c="dimmed" size="xs">{key}</Text>{' '}
          <Code fz="xs">{typeof value === 'string' ? value : JSON.stringify(value)}</Code>
        </Text>
      ))}
    </Group>
  );
}

export function AuditPage() {
  const [filter, setFilter] = useState('');
  const { query, rows } = useCursorList({
    queryKey: ['audit'],
    fetchPage: (params, signal) => audit.list(params, signal),
    filter,
    haystack: (e) => `${e.actorName} ${e.action} ${target(e)} ${detailsText(e.details)}`,
  });
  const { sorted, sort, toggle } = useSort<AuditEntry, SortKey>(rows, { key: 'at', dir: 'desc' }, (e, k) =>
    k === 'target' ? target(e) : e[k],
  );

  return (
    <ListView
      query={query}
      refused="Administration needs the administrator role."
      search={{ label: 'Filter loaded entries', placeholder: 'Actor, action, target or details', value: filter, onChange: setFilter }}
      label="Audit trail"
      minWidth={820}
      columns={COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      empty={filter.trim() ? 'No loaded entry matches the filter.' : 'Nothing recorded yet.'}
      count={shownCount(rows.length, ['entry', 'entries'], query.hasNextPage, 'older entries available')}
      loadMoreLabel="Load older entries"
      renderRow={(e) => (
        <Table.Tr key={e.id}>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>
            <Text size="sm" title={e.at}>{formatDateTime(e.at)}</Text>
          </Table.Td>
          <Table.Td><Text size="sm">{e.actorName}</Text></Table.Td>
          <Table.Td><Code>{e.action}</Code></Table.Td>
          <Table.Td><Text size="sm">{target(e)}</Text></Table.Td>
          <Table.Td maw={420}>
            <Details details={e.details} />
          </Table.Td>
        </Table.Tr>
      )}
    />
  );
}
