// Administration > API keys: a user sees their own keys, an administrator sees all.
// Filter and sort the loaded keys, load more by cursor, create (secret shown once), revoke (asks first).

import { Badge, Button, Code, Group, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { apiKeys, type ApiKey, type CreatedApiKey } from '../../api';
import { ConfirmModal } from '../../components/ConfirmModal';
import { ListView, type ListColumn } from '../../components/ListView';
import { notifyError, notifySuccess } from '../../components/notify';
import { useSort } from '../../components/SortableTable';
import { formatDateTime } from '../../format';
import { shownCount, useCursorList } from '../../hooks/useCursorList';
import { useInvalidate } from '../../hooks/useInvalidate';
import { NewApiKeyModal } from './NewApiKeyModal';
import { SecretModal } from './SecretModal';

type SortKey = 'name' | 'prefix' | 'username' | 'createdAt' | 'lastUsedAt' | 'revokedAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Name', sortKey: 'name' },
  { label: 'Prefix', sortKey: 'prefix' },
  { label: 'Scopes' },
  { label: 'Owner', sortKey: 'username' },
  { label: 'Created', sortKey: 'createdAt' },
  { label: 'Last used', sortKey: 'lastUsedAt' },
  { label: 'Status', sortKey: 'revokedAt' },
  {},
];

export function ApiKeysPage() {
  const invalidate = useInvalidate([['api-keys'], ['audit']]);
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [toRevoke, setToRevoke] = useState<ApiKey | null>(null);

  const { query, rows } = useCursorList({
    queryKey: ['api-keys'],
    fetchPage: (params, signal) => apiKeys.list(params, signal),
    filter,
    haystack: (k) => `${k.name} ${k.prefix} ${k.username}`,
  });
  const { sorted, sort, toggle } = useSort<ApiKey, SortKey>(rows, { key: 'createdAt', dir: 'desc' }, (k, key) => k[key]);

  const revoke = useMutation({
    mutationFn: (key: ApiKey) => apiKeys.revoke(key.id),
    onSuccess: (_, key) => {
      notifySuccess(`Key “${key.name}” revoked.`);
      setToRevoke(null);
    },
    onError: (err, key) => notifyError(`Could not revoke “${key.name}”`, err),
    onSettled: invalidate,
  });

  return (
    <ListView
      query={query}
      refused="Your role may not manage API keys."
      search={{ label: 'Filter keys', placeholder: 'Name, prefix or owner', value: filter, onChange: setFilter }}
      actions={
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          New API key
        </Button>
      }
      label="API keys"
      minWidth={860}
      columns={COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      skeletonRows={2}
      empty={filter.trim() ? 'No key matches the filter.' : 'No API keys yet.'}
      count={shownCount(rows.length, ['key', 'keys'], query.hasNextPage)}
      renderRow={(k) => (
        <Table.Tr key={k.id}>
          <Table.Td><Text size="sm" fw={500}>{k.name}</Text></Table.Td>
          <Table.Td><Code>{k.prefix}…</Code></Table.Td>
          <Table.Td>
            <Group gap={4}>
              {k.scopes.map((s) => (
                <Badge key={s} size="sm" variant="light" color={s === 'write' ? 'orange' : 'blue'}>{s}</Badge>
              ))}
            </Group>
          </Table.Td>
          <Table.Td><Text size="sm">{k.username}</Text></Table.Td>
          <Table.Td><Text size="sm" title={k.createdAt}>{formatDateTime(k.createdAt)}</Text></Table.Td>
          <Table.Td><Text size="sm">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}</Text></Table.Td>
          <Table.Td>
            {k.revokedAt ? (
              <Badge color="gray" variant="outline" size="sm" title={`Revoked ${formatDateTime(k.revokedAt)}`}>
                Revoked
              </Badge>
            ) : (
              <Badge color="teal" variant="dot" size="sm">Active</Badge>
            )}
          </Table.Td>
          <Table.Td>
            {k.revokedAt ? null : (
              <Button size="xs" variant="light" color="red" aria-label={`Revoke ${k.name}`} onClick={() => setToRevoke(k)}>
                Revoke
              </Button>
            )}
          </Table.Td>
        </Table.Tr>
      )}
    >
      <NewApiKeyModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(key) => {
          setCreating(false);
          setCreated(key);
        }}
      />
      <SecretModal apiKey={created} onClose={() => setCreated(null)} />

      <ConfirmModal
        opened={toRevoke !== null}
        title={`Revoke “${toRevoke?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        loading={revoke.isPending}
        onCancel={() => setToRevoke(null)}
        onConfirm={() => toRevoke && revoke.mutate(toRevoke)}
      >
        Scripts and integrations that use this key will be refused from now on. A revoked key cannot be restored.
      </ConfirmModal>
    </ListView>
  );
}
