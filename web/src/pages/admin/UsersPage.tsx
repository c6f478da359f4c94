// Administration > Users: search (server side), sort (loaded rows), cursor pagination,
// new user, change role, disable / enable (asks first).

import { Badge, Button, NativeSelect, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { ROLES, users, type Role, type User, type UserPatch } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { ListView, type ListColumn } from '../../components/ListView';
import { notifyError, notifySuccess } from '../../components/notify';
import { RoleBadge } from '../../components/RoleBadge';
import { useSort } from '../../components/SortableTable';
import { formatDateTime, ROLE_LABELS } from '../../format';
import { shownCount, useCursorList } from '../../hooks/useCursorList';
import { useInvalidate } from '../../hooks/useInvalidate';
import { NewUserModal } from './NewUserModal';

type SortKey = 'username' | 'displayName' | 'role' | 'disabled' | 'createdAt';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Username', sortKey: 'username' },
  { label: 'Display name', sortKey: 'displayName' },
  { label: 'Role', sortKey: 'role' },
  { label: 'Status', sortKey: 'disabled' },
  { label: 'Created', sortKey: 'createdAt' },
  { label: 'Change role' },
  {},
];

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }));

export function UsersPage() {
  const me = useCurrentUser();
  const invalidate = useInvalidate([['users'], ['audit']]);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [creating, setCreating] = useState(false);
  const [toToggle, setToToggle] = useState<User | null>(null);

  const { query, rows } = useCursorList({
    queryKey: ['users', q],
    fetchPage: (params, signal) => users.list({ ...params, q }, signal),
  });
  const { sorted, sort, toggle } = useSort<User, SortKey>(rows, { key: 'username', dir: 'asc' }, (u, k) => u[k]);

  const update = useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: UserPatch; username: string }) => users.update(id, patch),
    onSuccess: (user, { patch }) => {
      if (patch.role) notifySuccess(`${user.username} is now ${ROLE_LABELS[user.role] ?? user.role}.`);
      if (patch.disabled !== undefined) notifySuccess(`${user.username} is ${user.disabled ? 'disabled' : 'enabled'}.`);
      setToToggle(null);
    },
    onError: (err, { username }) => notifyError(`Could not update ${username}`, err),
    onSettled: invalidate,
  });

  return (
    <ListView
      query={query}
      refused="Administration needs the administrator role."
      search={{ label: 'Search users', placeholder: 'Username or display name', value: search, onChange: setSearch }}
      actions={
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          New user
        </Button>
      }
      label="Users"
      minWidth={820}
      columns={COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      empty={q ? `No user matches “${q}”.` : 'No users yet.'}
      count={shownCount(rows.length, ['user', 'users'], query.hasNextPage)}
      renderRow={(u) => {
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
      }}
    >
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
    </ListView>
  );
}
