// Administration > Data model: every resource, built-in and custom, with its field counts;
// "New resource" for administrators and data managers.

import { Anchor, Badge, Button, Code, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';

import type { ResourceDef } from '../../../api';
import { ListView, type ListColumn } from '../../../components/ListView';
import { useSort } from '../../../components/SortableTable';
import { fieldCount } from '../../../records/draft';
import { filterRows } from '../../../hooks/useCursorList';
import { useDraft } from './DraftContext';
import { NewResourceModal } from './NewResourceModal';

type SortKey = 'position' | 'label' | 'name' | 'builtin' | 'table' | 'fields' | 'links';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Resource', sortKey: 'label' },
  { label: 'Name', sortKey: 'name' },
  { label: 'Kind', sortKey: 'builtin' },
  { label: 'Table', sortKey: 'table' },
  { label: 'Fields', sortKey: 'fields' },
  { label: 'Links', sortKey: 'links' },
];

const NOT_PAGED = {
  isPending: false, isError: false, error: null, refetch: () => undefined,
  hasNextPage: false, fetchNextPage: () => undefined, isFetchingNextPage: false,
};

export function DataModelPage() {
  const { draft, published, canEdit } = useDraft();
  const navigate = useNavigate();
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const rows = filterRows(draft, filter, (r) => `${r.label} ${r.pluralLabel} ${r.name}`);
  // The server's order first (profile, test profile, service, …, then custom resources).
  const { sorted, sort, toggle } = useSort<ResourceDef, SortKey>(rows, { key: 'position', dir: 'asc' }, (r, k) => {
    if (k === 'position') return draft.indexOf(r);
    if (k === 'fields') return r.fields.length;
    if (k === 'links') return r.links.length;
    if (k === 'builtin') return r.builtin ? 1 : 0;
    return r[k] ?? '';
  });
  const isNew = (name: string) => !published.some((p) => p.name === name);
  const custom = draft.filter((r) => !r.builtin).length;

  return (
    <ListView
      query={NOT_PAGED}
      refused=""
      search={{ label: 'Filter resources', placeholder: 'Label or name', value: filter, onChange: setFilter }}
      actions={
        canEdit ? (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>New resource</Button>
        ) : undefined
      }
      label="Resources"
      minWidth={760}
      columns={COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      empty="No resource matches the filter."
      count={`${draft.length} resources: ${draft.length - custom} built-in, ${custom} custom`}
      renderRow={(r) => {
        const n = fieldCount(r);
        return (
          <Table.Tr key={r.name} data-resource={r.name}>
            <Table.Td>
              <Anchor component={Link} to={`/admin/data-model/${r.name}`} size="sm" fw={500}>{r.label}</Anchor>
            </Table.Td>
            <Table.Td><Code>{r.name}</Code></Table.Td>
            <Table.Td>
              {r.builtin ? <Badge size="sm" variant="light" color="gray">Built-in</Badge> : <Badge size="sm" variant="light" color="grape">Custom</Badge>}
              {isNew(r.name) ? <Badge ml={4} size="sm" variant="outline" color="indigo">draft</Badge> : null}
            </Table.Td>
            <Table.Td><Text size="sm" c="dimmed">{r.table || `x_… (after publishing)`}</Text></Table.Td>
            <Table.Td>
              <Text size="sm">
                {n.builtin + n.custom}
                {n.custom ? <Text span size="xs" c="dimmed"> ({n.custom} custom)</Text> : null}
              </Text>
            </Table.Td>
            <Table.Td><Text size="sm">{r.links.length}</Text></Table.Td>
          </Table.Tr>
        );
      }}
    >
      <NewResourceModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => {
          setCreating(false);
          navigate(`/admin/data-model/${name}`);
        }}
      />
    </ListView>
  );
}
