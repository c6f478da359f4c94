// Administration > Users: search (server side), sort (loaded rows), cursor pagination,
// new user, change role, disable / enable (asks first).

import {
  Badge, Button, Group, NativeSelect, Paper, Skeleton, Table, Text, TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';

import { ROLES, users, type Role, type User, type UserPatch } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { notifyError, notifySuccess } from '../../components/notify';
import { RoleBadge } from '../../components/RoleBadge';
import { SortableTh, useSort } from '../../components/SortableTable';
import { formatDateTime, ROLE_LABELS } from '../../format';
import { NewUserModal } from './NewUserModal';

type SortKey = 'username' | 'displayName' | 'role' | 'disabled' | 'createdAt';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));

export function UsersPage() {
  const me = useCurrentUser();
  const client = useQueryClient();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [creating, setCreating] = useState(false);
  const [toToggle, setToToggle] = useState<User | null>(null);

  const list = useInfiniteQuery({
    queryKey: ['users', q],
    queryFn: ({ pageParam, signal }) => users.list({ limit: 50, cursor: pageParam, q }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const { sorted, sort, toggle } = useSort<User, SortKey>(rows, { key: 'username', dir: 'asc' }, (u, k) => u[k]);

  const update = useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: UserPatch; username: string }) => users.update(id, patch),
    onSuccess: (user, { patch }) => {
      if (patch.role) notifySuccess(`${user.username} is now ${ROLE_LABELS[user.role] ?? user.role}.`);
      if (patch.disabled !== undefined) notifySuccess(`${user.username} is ${user.disabled ? 'disabled' : 'enabled'}.`);
      setToToggle(null);
    },
    onError: (err, { username }) => notifyError(`Could not update ${username}`, err),
    onSettled: () => {
      client.invalidateQueries({ queryKey: ['users'] });
      client.invalidateQueries({ queryKey: ['audit'] });
    },
  });

  if (list.isError && isAccessRefused(list.error)) {
    return <AccessRefused needs="Administration needs the administrator role." error={list.error} />;
  }

  return (
    <>
      <Group justify="space-between" mb="md" wrap="wrap">
        <TextInput
          label="Search users"
          placeholder="Username or display name"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={320}
        />
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} style={{ alignSelf: 'flex-end' }}>
          New user
        </Button>
      </Group>

      {list.isError ? <LoadError error={list.error} onRetry={() => list.refetch()} /> : null}

      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={820} type="native">
          <Table striped highlightOnHover verticalSpacing="xs" aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <SortableTh sortKey="username" sort={sort} onSort={toggle}>Username</SortableTh>
                <SortableTh sortKey="displayName" sort={sort} onSort={toggle}>Display name</SortableTh>
                <SortableTh sortKey="role" sort={sort} onSort={toggle}>Role</SortableTh>
                <SortableTh sortKey="disabled" sort={sort} onSort={toggle}>Status</SortableTh>
                <SortableTh sortKey="createdAt" sort={sort} onSort={toggle}>Created</SortableTh>
                <Table.Th>Change role</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.isPending
                ? [0, 1, 2].map((i) => (
                    <Table.Tr key={i}>
                      <Table.Td colSpan={7}><Skeleton h={20} /></Table.Td>
                    </Table.Tr>
                  ))
                : null}
              {!list.isPending && sorted.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text c="dimmed" ta="center" py="md">
                      {q ? `No user matches “${q}”.` : 'No users yet.'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {sorted.map((u) => {
                const self = u.id === me.id;
                return (
                  <Table.Tr key={u.id} data-username={u.username}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {u.username}
                        {self ? <Text span c="dimmed" size="xs"> (you)</Text> : null}
                      </Text>
                    </Table.Td>
                    <Table.Td><Text size="sm">{u.displayName || '—'}</Text></Table.Td>
                    <Table.Td><RoleBadge role={u.role} /></Table.Td>
                    <Table.Td>
                      {u.disabled ? (
                        <Badge color="gray" variant="outline" size="sm">Disabled</Badge>
                      ) : (
                        <Badge color="teal" variant="dot" size="sm">Active</Badge>
                      )}
                    </Table.Td>
                    <Table.Td><Text size="sm" title={u.createdAt}>{formatDateTime(u.createdAt)}</Text></Table.Td>
                    <Table.Td>
                      <NativeSelect
                        aria-label={`Role of ${u.username}`}
                        size="xs"
                        data={ROLE_OPTIONS}
                        value={u.role}
                        disabled={update.isPending}
                        onChange={(e) =>
                          update.mutate({ id: u.id, username: u.username, patch: { role: e.currentTarget.value as Role } })
                        }
                        w={150}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="light"
                        color={u.disabled ? 'teal' : 'red'}
                        aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
                        onClick={() => setToToggle(u)}
                      >
                        {u.disabled ? 'Enable' : 'Disable'}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      <Group justify="space-between" mt="sm">
        <Text size="sm" c="dimmed">
          {list.isPending ? 'Loading…' : `${rows.length} user${rows.length === 1 ? '' : 's'} shown${list.hasNextPage ? ', more available' : ''}`}
        </Text>
        {list.hasNextPage ? (
          <Button variant="default" size="xs" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
            Load more
          </Button>
        ) : null}
      </Group>

      <NewUserModal opened={creating} onClose={() => setCreating(false)} />

      <ConfirmModal
        opened={toToggle !== null}
        title={toToggle?.disabled ? `Enable ${toToggle.username}?` : `Disable ${toToggle?.username ?? ''}?`}
        confirmLabel={toToggle?.disabled ? 'Enable' : 'Disable'}
        color={toToggle?.disabled ? 'teal' : 'red'}
        loading={update.isPending}
        onCancel={() => setToToggle(null)}
        onConfirm={() =>
          toToggle && update.mutate({ id: toToggle.id, username: toToggle.username, patch: { disabled: !toToggle.disabled } })
        }
      >
        {toToggle?.disabled
          ? `${toToggle.username} will be able to sign in again.`
          : `${toToggle?.username ?? ''} will no longer be able to sign in${toToggle?.id === me.id ? ', and that is you' : ''}. You can enable the account again later.`}
      </ConfirmModal>
    </>
  );
}
