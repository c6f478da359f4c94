// Profiles & audiences > Imports: the history, newest first (cursor pagination, filter and sort
// over the loaded rows), with "New import"; while an import runs the list refreshes itself.

import { Anchor, Button, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconDownload, IconFileImport } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';

import { imports, isFinished, type ImportItem } from '../../../api';
import { useCurrentUser } from '../../../auth';
import { ListView, type ListColumn } from '../../../components/ListView';
import { useSort } from '../../../components/SortableTable';
import { formatDateTime } from '../../../format';
import { shownCount, useCursorList } from '../../../hooks/useCursorList';
import { formatCount } from '../../../records/fields';
import { canWriteData } from '../../../records/permissions';
import { useSchema } from '../../../records/useSchema';
import { formatBytes } from '../../../imports/wizard';
import { ImportStatusBadge } from './ImportRun';

type SortKey = 'fileName' | 'resource' | 'status' | 'read' | 'createdAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'File', sortKey: 'fileName' },
  { label: 'Into', sortKey: 'resource' },
  { label: 'Status', sortKey: 'status' },
  { label: 'Counters', sortKey: 'read' },
  { label: 'By, when', sortKey: 'createdAt' },
  { label: 'Rejects' },
];

export const IMPORTS_LIST_KEY = ['imports', 'list'] as const;

function Counters({ item }: { item: ImportItem }) {
  if (item.status === 'uploaded') return <Text size="sm" c="dimmed">Not started</Text>;
  if (!isFinished(item.status)) return <Text size="sm" c="dimmed">{item.progress?.percent ?? 0}%…</Text>;
  if (item.status !== 'succeeded') return <Text size="sm" c="dimmed">Nothing changed</Text>;
  const c = item.counters;
  // Read always; the other counters when not zero (all of them in the tooltip).
  const all: [string, number][] = [['read', c.read], ['inserted', c.inserted], ['updated', c.updated], ['unchanged', c.unchanged], ['deleted', c.deleted], ['rejected', c.rejected]];
  const parts = all.filter(([label, n]) => label === 'read' || n > 0);
  return (
    <Text size="xs" title={all.map(([label, n]) => `${formatCount(n)} ${label}`).join(', ')}>
      {parts.map(([label, n], i) => (
        <span key={label} style={{ whiteSpace: 'nowrap' }}>
          {i ? ' · ' : ''}
          <Text span fw={600} size="xs" c={label === 'rejected' && n ? 'red' : undefined}>{formatCount(n)}</Text>{' '}
          <Text span c="dimmed" size="xs">{label}</Text>
        </span>
      ))}
    </Text>
  );
}

export function ImportsPage() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const schema = useSchema();
  const [filter, setFilter] = useState('');
  const resourceLabel = (name: string | null) =>
    name ? schema.data?.resources.find((r) => r.name === name)?.pluralLabel ?? name : '—';
  const { query, rows } = useCursorList({
    queryKey: IMPORTS_LIST_KEY,
    fetchPage: (params, signal) => imports.list(params, signal),
    filter,
    haystack: (i) => `${i.fileName} ${resourceLabel(i.resource)} ${i.status} ${i.createdBy}`,
  });
  const { sorted, sort, toggle } = useSort<ImportItem, SortKey>(rows, { key: 'createdAt', dir: 'desc' }, (i, k) =>
    k === 'read' ? i.counters.read : k === 'createdAt' ? i.id : k === 'resource' ? resourceLabel(i.resource) : i[k],
  );

  // Refresh while something in the list is still queued or running.
  const active = rows.some((i) => i.status === 'queued' || i.status === 'running');
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(() => void queryClient.invalidateQueries({ queryKey: IMPORTS_LIST_KEY }), 2000);
    return () => clearInterval(t);
  }, [active, queryClient]);

  return (
    <ListView
      query={query}
      refused="Imports need a role with access to data."
      search={{ label: 'Filter loaded imports', placeholder: 'File, resource, status or user', value: filter, onChange: setFilter }}
      actions={
        canWriteData(user.role) ? (
          <Button leftSection={<IconFileImport size={16} />} onClick={() => navigate('/audiences/imports/new')}>
            New import
          </Button>
        ) : null
      }
      label="Imports"
      minWidth={900}
      columns={COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      empty={filter.trim() ? 'No loaded import matches the filter.' : 'No import yet. Start one with “New import”.'}
      count={shownCount(rows.length, ['import', 'imports'], query.hasNextPage, 'older imports available')}
      loadMoreLabel="Load older imports"
      renderRow={(i) => (
        <Table.Tr key={i.id} data-import={i.id}>
          <Table.Td>
            <Anchor component={Link} to={`/audiences/imports/${i.id}`} size="sm" fw={500} style={{ wordBreak: 'break-all' }}>{i.fileName}</Anchor>
            <Text size="xs" c="dimmed">{formatBytes(i.fileBytes)}</Text>
          </Table.Td>
          <Table.Td><Text size="sm">{resourceLabel(i.resource)}</Text></Table.Td>
          <Table.Td>
            <ImportStatusBadge status={i.status} />
            {i.request?.mode ? <Text size="xs" c="dimmed">{i.request.mode}{i.request.keys.length ? ` on ${i.request.keys.join(', ')}` : ''}</Text> : null}
            {i.status === 'failed' && i.error ? <Text size="xs" c="red" maw={260} lineClamp={2} title={i.error}>{i.error}</Text> : null}
          </Table.Td>
          <Table.Td><Counters item={i} /></Table.Td>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>
            <Text size="sm">{i.createdBy}</Text>
            <Text size="xs" c="dimmed" title={i.createdAt}>{formatDateTime(i.createdAt)}</Text>
          </Table.Td>
          <Table.Td>
            {i.hasRejects ? (
              <Tooltip label={`Download the ${i.counters.rejected} rejected lines as CSV`} withArrow>
                <Anchor href={imports.rejectsUrl(i.id)} download size="sm" aria-label={`Download the rejects of ${i.fileName}`}>
                  <Group gap={4} wrap="nowrap"><IconDownload size={14} /> Download</Group>
                </Anchor>
              </Tooltip>
            ) : (
              <Text size="sm" c="dimmed">—</Text>
            )}
          </Table.Td>
        </Table.Tr>
      )}
    />
  );
}
