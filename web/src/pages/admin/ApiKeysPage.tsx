// Administration > API keys: a user sees their own keys, an administrator sees all.
// Filter and sort the loaded keys, load more by cursor, create (secret shown once), revoke (asks first).

import { Badge, Button, Code, Group, Paper, Skeleton, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';

import { apiKeys, type ApiKey, type CreatedApiKey } from '../../api';
import { ConfirmModal } from '../../components/ConfirmModal';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { notifyError, notifySuccess } from '../../components/notify';
import { SortableTh, useSort } from '../../components/SortableTable';
import { formatDateTime } from '../../format';
import { NewApiKeyModal } from './NewApiKeyModal';
import { SecretModal } from './SecretModal';

type SortKey = 'name' | 'prefix' | 'username' | 'createdAt' | 'lastUsedAt' | 'revokedAt';

export function ApiKeysPage() {
  const client = useQueryClient();
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [toRevoke, setToRevoke] = useState<ApiKey | null>(null);

  const list = useInfiniteQuery({
    queryKey: ['api-keys'],
    queryFn: ({ pageParam, signal }) => apiKeys.list({ limit: 50, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = useMemo(() => {
    const all = list.data?.pages.flatMap((p) => p.items) ?? [];
    const f = filter.trim().toLowerCase();
    return f ? all.filter((k) => `${k.name} ${k.prefix} ${k.username}`.toLowerCase().includes(f)) : all;
  }, [list.data, filter]);
  const { sorted, sort, toggle } = useSort<ApiKey, SortKey>(rows, { key: 'createdAt', dir: 'desc' }, (k, key) => k[key]);

  const revoke = useMutation({
    mutationFn: (key: ApiKey) => apiKeys.revoke(key.id),
    onSuccess: (_, key) => {
      notifySuccess(`Key “${key.name}” revoked.`);
      setToRevoke(null);
    },
    onError: (err, key) => notifyError(`Could not revoke “${key.name}”`, err),
    onSettled: () => {
      client.invalidateQueries({ queryKey: ['api-keys'] });
      client.invalidateQueries({ queryKey: ['audit'] });
    },
  });

  if (list.isError && isAccessRefused(list.error)) {
    return <AccessRefused needs="Your role may not manage API keys." error={list.error} />;
  }

  return (
    <>
      <Group justify="space-between" mb="md" wrap="wrap" align="flex-end">
        <TextInput
          label="Filter keys"
          placeholder="Name, prefix or owner"
          leftSection={<IconSearch size={16} />}
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          w={320}
        />
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          New API key
        </Button>
      </Group>

      {list.isError ? <LoadError error={list.error} onRetry={() => list.refetch()} /> : null}

      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={860} type="native">
          <Table striped highlightOnHover verticalSpacing="xs" aria-label="API keys">
            <Table.Thead>
              <Table.Tr>
                <SortableTh sortKey="name" sort={sort} onSort={toggle}>Name</SortableTh>
                <SortableTh sortKey="prefix" sort={sort} onSort={toggle}>Prefix</SortableTh>
                <Table.Th>Scopes</Table.Th>
                <SortableTh sortKey="username" sort={sort} onSort={toggle}>Owner</SortableTh>
                <SortableTh sortKey="createdAt" sort={sort} onSort={toggle}>Created</SortableTh>
                <SortableTh sortKey="lastUsedAt" sort={sort} onSort={toggle}>Last used</SortableTh>
                <SortableTh sortKey="revokedAt" sort={sort} onSort={toggle}>Status</SortableTh>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.isPending
                ? [0, 1].map((i) => (
                    <Table.Tr key={i}>
                      <Table.Td colSpan={8}><Skeleton h={20} /></Table.Td>
                    </Table.Tr>
                  ))
                : null}
              {!list.isPending && sorted.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={8}>
                    <Text c="dimmed" ta="center" py="md">
                      {filter.trim() ? 'No key matches the filter.' : 'No API keys yet.'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {sorted.map((k) => (
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
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      <Group justify="space-between" mt="sm">
        <Text size="sm" c="dimmed">
          {list.isPending ? 'Loading…' : `${rows.length} key${rows.length === 1 ? '' : 's'} shown${list.hasNextPage ? ', more available' : ''}`}
        </Text>
        {list.hasNextPage ? (
          <Button variant="default" size="xs" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
            Load more
          </Button>
        ) : null}
      </Group>

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
    </>
  );
}
