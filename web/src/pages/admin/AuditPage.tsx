// Administration > Audit trail: newest first from the server, cursor pagination,
// filter and sort over the loaded entries.

import { Code, Group, Paper, Skeleton, Table, Text, TextInput, Button } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';

import { audit, type AuditEntry } from '../../api';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { SortableTh, useSort } from '../../components/SortableTable';
import { formatDateTime } from '../../format';

type SortKey = 'at' | 'actorName' | 'action' | 'target';

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
  const list = useInfiniteQuery({
    queryKey: ['audit'],
    queryFn: ({ pageParam, signal }) => audit.list({ limit: 50, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = useMemo(() => {
    const all = list.data?.pages.flatMap((p) => p.items) ?? [];
    const f = filter.trim().toLowerCase();
    return f
      ? all.filter((e) => `${e.actorName} ${e.action} ${target(e)} ${detailsText(e.details)}`.toLowerCase().includes(f))
      : all;
  }, [list.data, filter]);
  const { sorted, sort, toggle } = useSort<AuditEntry, SortKey>(rows, { key: 'at', dir: 'desc' }, (e, k) =>
    k === 'target' ? target(e) : e[k],
  );

  if (list.isError && isAccessRefused(list.error)) {
    return <AccessRefused needs="Administration needs the administrator role." error={list.error} />;
  }

  return (
    <>
      <Group mb="md">
        <TextInput
          label="Filter loaded entries"
          placeholder="Actor, action, target or details"
          leftSection={<IconSearch size={16} />}
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          w={320}
        />
      </Group>

      {list.isError ? <LoadError error={list.error} onRetry={() => list.refetch()} /> : null}

      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={820} type="native">
          <Table striped highlightOnHover verticalSpacing="xs" aria-label="Audit trail">
            <Table.Thead>
              <Table.Tr>
                <SortableTh sortKey="at" sort={sort} onSort={toggle}>Time</SortableTh>
                <SortableTh sortKey="actorName" sort={sort} onSort={toggle}>Actor</SortableTh>
                <SortableTh sortKey="action" sort={sort} onSort={toggle}>Action</SortableTh>
                <SortableTh sortKey="target" sort={sort} onSort={toggle}>Target</SortableTh>
                <Table.Th>Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.isPending
                ? [0, 1, 2].map((i) => (
                    <Table.Tr key={i}>
                      <Table.Td colSpan={5}><Skeleton h={20} /></Table.Td>
                    </Table.Tr>
                  ))
                : null}
              {!list.isPending && sorted.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text c="dimmed" ta="center" py="md">
                      {filter.trim() ? 'No loaded entry matches the filter.' : 'Nothing recorded yet.'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {sorted.map((e) => (
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
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      <Group justify="space-between" mt="sm">
        <Text size="sm" c="dimmed">
          {list.isPending ? 'Loading…' : `${rows.length} entr${rows.length === 1 ? 'y' : 'ies'} shown${list.hasNextPage ? ', older entries available' : ''}`}
        </Text>
        {list.hasNextPage ? (
          <Button variant="default" size="xs" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
            Load older entries
          </Button>
        ) : null}
      </Group>
    </>
  );
}
