// Profiles & audiences > Audiences: the saved audiences (server-side search, cursor pagination,
// sort over the loaded rows): label, kind, count (member count of a list; a query is counted on
// demand), expiry with an "expired" badge, who created it and when; "New audience".

import { Anchor, Badge, Button, Group, Loader, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { audiences, type Audience } from '../../api';
import { useCurrentUser } from '../../auth';
import { ListView, type ListColumn } from '../../components/ListView';
import { useSort } from '../../components/SortableTable';
import { formatDateTime } from '../../format';
import { shownCount, useCursorList } from '../../hooks/useCursorList';
import { formatCount } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { AUDIENCES_KEY } from './SaveAudienceModal';

type SortKey = 'label' | 'kind' | 'expiresAt' | 'createdAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Audience', sortKey: 'label' },
  { label: 'Kind', sortKey: 'kind' },
  { label: 'Profiles' },
  { label: 'Expires', sortKey: 'expiresAt' },
  { label: 'Created', sortKey: 'createdAt' },
];

export function KindBadge({ kind }: { kind: Audience['kind'] }) {
  return kind === 'list'
    ? <Badge size="sm" variant="light" color="teal">List</Badge>
    : <Badge size="sm" variant="light" color="indigo">Query</Badge>;
}

export function ExpiryText({ audience }: { audience: Audience }) {
  if (!audience.expiresAt) return <Text size="sm" c="dimmed">never</Text>;
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm">{formatDateTime(audience.expiresAt)}</Text>
      {audience.expired ? <Badge size="sm" color="red" variant="filled">expired</Badge> : null}
    </Group>
  );
}

/** A query audience is counted when asked (a count runs the query). */
function CountCell({ audience }: { audience: Audience }) {
  const [asked, setAsked] = useState(false);
  const count = useQuery({
    queryKey: [...AUDIENCES_KEY, 'count', audience.id],
    queryFn: ({ signal }) => audiences.count(audience.id, signal),
    enabled: asked,
    retry: false,
  });
  if (audience.kind === 'list') return <Text size="sm">{audience.memberCount === null ? '—' : formatCount(audience.memberCount)}</Text>;
  if (audience.expired) return <Text size="sm" c="dimmed">—</Text>;
  if (!asked) {
    return (
      <Button size="compact-xs" variant="subtle" aria-label={`Count ${audience.label}`} onClick={() => setAsked(true)}>
        Count
      </Button>
    );
  }
  if (count.isPending) return <Loader size="xs" aria-label="Counting" />;
  if (count.isError) return <Text size="xs" c="red">{count.error.message}</Text>;
  return <Text size="sm">{formatCount(count.data.count)}</Text>;
}

export function AudiencesPage() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const { query, rows } = useCursorList({
    queryKey: [...AUDIENCES_KEY, 'list', q],
    fetchPage: (params, signal) => audiences.list({ ...params, q }, signal),
  });
  const { sorted, sort, toggle } = useSort<Audience, SortKey>(rows, { key: 'createdAt', dir: 'desc' }, (a, k) => (k === 'createdAt' ? a.id : a[k]));

  return (
    <ListView
      query={query}
      refused="Audiences need a role with access to data."
      search={{ label: 'Search audiences', placeholder: 'Label or description', value: search, onChange: setSearch }}
      actions={
        canWriteData(user.role) ? (
          <Button leftSection={<IconPlus size={16} />} onClick={() => navigate('/audiences/audiences/new')}>
            New audience
          </Button>
        ) : null
      }
      label="Audiences"
      minWidth={820}
      columns={COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      empty={q ? 'No audience matches.' : 'No audience yet. Build one with “New audience”.'}
      count={shownCount(rows.length, ['audience', 'audiences'], query.hasNextPage)}
      renderRow={(a) => (
        <Table.Tr key={a.id} data-audience={a.id}>
          <Table.Td>
            <Anchor component={Link} to={`/audiences/audiences/${a.id}`} size="sm" fw={500}>{a.label}</Anchor>
            {a.description ? <Text size="xs" c="dimmed" lineClamp={1}>{a.description}</Text> : null}
          </Table.Td>
          <Table.Td><KindBadge kind={a.kind} /></Table.Td>
          <Table.Td><CountCell audience={a} /></Table.Td>
          <Table.Td><ExpiryText audience={a} /></Table.Td>
          <Table.Td>
            <Text size="sm">{a.createdBy}</Text>
            <Text size="xs" c="dimmed">{formatDateTime(a.createdAt)}</Text>
          </Table.Td>
        </Table.Tr>
      )}
    />
  );
}
