// Administration > Routes: where email goes out, an SMTP relay or a maildir folder. Everyone reads
// the list; administrators create, edit, test the connection, make a route the default and delete
// (the server refuses the default route while others exist, and its message is shown).

import { Badge, Button, Code, Group, Loader, Modal, Stack, Table, Text } from '@mantine/core';
import { IconCircleCheck, IconCircleX, IconPlus } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { routes, type Route, type RouteTestResult } from '../../../api/email';
import { useCurrentUser } from '../../../auth';
import { ConfirmModal } from '../../../components/ConfirmModal';
import { ListView, type ListColumn } from '../../../components/ListView';
import { notifyError, notifySuccess } from '../../../components/notify';
import { useSort } from '../../../components/SortableTable';
import { shownCount, useCursorList } from '../../../hooks/useCursorList';
import { useInvalidate } from '../../../hooks/useInvalidate';
import { canManageEmail } from './emailModel';
import { RouteFormModal } from './RouteFormModal';
import { routeDestination } from './routeForm';

type SortKey = 'name' | 'label' | 'kind' | 'destination';

const COLUMNS: ListColumn<SortKey>[] = [
  { label: 'Name', sortKey: 'name' },
  { label: 'Label', sortKey: 'label' },
  { label: 'Kind', sortKey: 'kind' },
  { label: 'Destination', sortKey: 'destination' },
];

type Editing = { route: Route | null } | null;

export function RoutesPage() {
  const user = useCurrentUser();
  const admin = canManageEmail(user.role);
  const invalidate = useInvalidate([['routes'], ['audit']]);
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<Editing>(null);
  const [toDelete, setToDelete] = useState<Route | null>(null);
  const [tested, setTested] = useState<{ route: Route; result: RouteTestResult | null } | null>(null);

  const { query, rows } = useCursorList({
    queryKey: ['routes'],
    fetchPage: (params, signal) => routes.list(params, signal),
    filter,
    haystack: (r) => `${r.name} ${r.label} ${r.kind} ${routeDestination(r)}`,
  });
  const { sorted, sort, toggle } = useSort<Route, SortKey>(rows, { key: 'name', dir: 'asc' }, (r, key) =>
    key === 'destination' ? routeDestination(r) : r[key],
  );

  const remove = useMutation({
    mutationFn: (route: Route) => routes.remove(route.id),
    onSuccess: (_, route) => {
      notifySuccess(`Route “${route.name}” deleted.`);
      setToDelete(null);
    },
    onError: (err, route) => notifyError(`Could not delete “${route.name}”`, err),
    onSettled: invalidate,
  });

  const makeDefault = useMutation({
    mutationFn: (route: Route) => routes.update(route.id, { isDefault: true }),
    onSuccess: (_, route) => notifySuccess(`“${route.name}” is now the default route.`),
    onError: (err, route) => notifyError(`Could not make “${route.name}” the default`, err),
    onSettled: invalidate,
  });

  const test = useMutation({
    mutationFn: (route: Route) => routes.test(route.id),
    onMutate: (route) => setTested({ route, result: null }),
    onSuccess: (result, route) => setTested({ route, result }),
    onError: (err, route) => {
      setTested(null);
      notifyError(`Could not test “${route.name}”`, err);
    },
  });

  return (
    <ListView
      query={query}
      refused="Reading the email routes needs the read data permission."
      search={{ label: 'Filter routes', placeholder: 'Name, label or destination', value: filter, onChange: setFilter }}
      actions={
        admin ? (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ route: null })}>
            New route
          </Button>
        ) : null
      }
      label="Routes"
      minWidth={1040}
      columns={admin ? [...COLUMNS, {}] : COLUMNS}
      sort={sort}
      onSort={toggle}
      rows={sorted}
      skeletonRows={2}
      empty={filter.trim() ? 'No route matches the filter.' : 'No routes yet: email cannot be sent until one exists.'}
      count={shownCount(rows.length, ['route', 'routes'], query.hasNextPage)}
      renderRow={(r) => (
        <Table.Tr key={r.id} data-route={r.name}>
          <Table.Td>
            <Group gap="xs" wrap="nowrap">
              <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>{r.name}</Text>
              {r.isDefault ? <Badge size="sm" variant="light" color="indigo" style={{ flexShrink: 0 }}>Default</Badge> : null}
            </Group>
          </Table.Td>
          <Table.Td><Text size="sm">{r.label || '—'}</Text></Table.Td>
          <Table.Td>
            <Badge size="sm" variant="outline" color={r.kind === 'smtp' ? 'blue' : 'grape'} style={{ flexShrink: 0, overflow: 'visible' }}>
              {r.kind === 'smtp' ? 'SMTP' : 'Maildir'}
            </Badge>
          </Table.Td>
          <Table.Td>
            <Code>{routeDestination(r)}</Code>
            {r.kind === 'smtp' && r.smtp ? (
              <Text span size="xs" c="dimmed" ml="xs">{r.smtp.tls}{r.smtp.username ? `, as ${r.smtp.username}` : ''}</Text>
            ) : null}
          </Table.Td>
          {admin ? (
            <Table.Td>
              <Group gap={6} justify="flex-end" wrap="nowrap">
                <Button size="xs" variant="light" aria-label={`Test connection of ${r.name}`} onClick={() => test.mutate(r)}
                  loading={test.isPending && test.variables?.id === r.id}>
                  Test connection
                </Button>
                <Button size="xs" variant="default" aria-label={`Edit ${r.name}`} onClick={() => setEditing({ route: r })}>
                  Edit
                </Button>
                {r.isDefault ? null : (
                  <Button size="xs" variant="default" aria-label={`Make ${r.name} the default`} onClick={() => makeDefault.mutate(r)}
                    loading={makeDefault.isPending && makeDefault.variables?.id === r.id}>
                    Make default
                  </Button>
                )}
                <Button size="xs" variant="light" color="red" aria-label={`Delete ${r.name}`} onClick={() => setToDelete(r)}>
                  Delete
                </Button>
              </Group>
            </Table.Td>
          ) : null}
        </Table.Tr>
      )}
    >
      {editing ? (
        <RouteFormModal
          key={editing.route?.id ?? 'new'}
          opened
          route={editing.route}
          onClose={() => setEditing(null)}
          onSaved={(route) => {
            notifySuccess(editing.route ? `Route “${route.name}” saved.` : `Route “${route.name}” created.`);
            setEditing(null);
          }}
        />
      ) : null}

      <TestResultModal tested={tested} onClose={() => setTested(null)} />

      <ConfirmModal
        opened={toDelete !== null}
        title={`Delete route “${toDelete?.name ?? ''}”?`}
        confirmLabel="Delete route"
        loading={remove.isPending}
        onCancel={() => setToDelete(null)}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
      >
        Deliveries that name this route will fail until they are given another one.
        {toDelete?.isDefault ? ' It is the default route: make another route the default first if there are others.' : ''}
      </ConfirmModal>
    </ListView>
  );
}

/** The answer of "Test connection": ok or failed, the server's message and its capabilities. */
function TestResultModal({ tested, onClose }: { tested: { route: Route; result: RouteTestResult | null } | null; onClose: () => void }) {
  const result = tested?.result ?? null;
  return (
    <Modal opened={tested !== null} onClose={onClose} title={<Text fw={600}>Connection test: {tested?.route.name}</Text>} centered size="lg">
      {!result ? (
        <Group gap="sm">
          <Loader size="sm" />
          <Text size="sm">Connecting to {tested ? routeDestination(tested.route) : ''}…</Text>
        </Group>
      ) : (
        <Stack gap="sm" data-testid="route-test-result" data-ok={result.ok ? 'true' : 'false'}>
          <Group gap="xs">
            {result.ok ? <IconCircleCheck color="var(--mantine-color-teal-6)" /> : <IconCircleX color="var(--mantine-color-red-6)" />}
            <Badge size="lg" color={result.ok ? 'teal' : 'red'}>{result.ok ? 'ok' : 'failed'}</Badge>
          </Group>
          {result.message ? (
            <Code block style={{ whiteSpace: 'pre-wrap' }}>{result.message}</Code>
          ) : null}
          {result.capabilities.length ? (
            <Stack gap={4}>
              <Text size="sm" fw={500}>Capabilities</Text>
              <Group gap={4}>
                {result.capabilities.map((c) => (
                  <Badge key={c} size="sm" variant="outline" color="gray">{c}</Badge>
                ))}
              </Group>
            </Stack>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
