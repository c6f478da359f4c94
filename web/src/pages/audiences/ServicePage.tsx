// /audiences/services/:id: the service, edit it, and its subscribers (unsubscribe after confirming).

import { ActionIcon, Anchor, Badge, Breadcrumbs, Button, Center, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconPencil, IconX } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';

import { records, subscriptions, type ResourceDef, type Subscription } from '../../api';
import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { AccessRefused, isAccessRefused, LoadError } from '../../components/ErrorAlert';
import { notifyError, notifySuccess } from '../../components/notify';
import { formatDateTime } from '../../format';
import { useCursorList, shownCount } from '../../hooks/useCursorList';
import { useInvalidate } from '../../hooks/useInvalidate';
import { formFields, formatCount } from '../../records/fields';
import { canWriteData } from '../../records/permissions';
import { RecordFormModal } from '../../records/RecordFormModal';
import { recordsKey } from '../../records/useSchema';
import { ValueCell } from '../../records/ValueCell';
import { NotFoundPanel } from './NotFoundPanel';
import { subscriptionsKey } from './ProfileSubscriptions';
import { SchemaGate } from './SchemaGate';
import { SERVICE_FORM } from './ServicesPage';

export function ServicePage() {
  return <SchemaGate name="service">{(resource) => <Service resource={resource} />}</SchemaGate>;
}

function Service({ resource }: { resource: ResourceDef }) {
  const { id = '' } = useParams();
  const user = useCurrentUser();
  const writer = canWriteData(user.role);
  const [editing, setEditing] = useState(false);
  const [toRemove, setToRemove] = useState<Subscription | null>(null);
  const fields = useMemo(() => new Map(formFields(resource).map((f) => [f.name, f])), [resource]);
  const invalidate = useInvalidate([subscriptionsKey, recordsKey('service'), ['audit']]);

  const service = useQuery({
    queryKey: [...recordsKey('service'), 'one', id],
    queryFn: ({ signal }) => records.get('service', id, signal),
    retry: false,
  });
  const { query, rows } = useCursorList({
    queryKey: [...subscriptionsKey, 'service', id],
    fetchPage: (params, signal) => subscriptions.ofService(Number(id), params, signal),
  });
  const unsubscribe = useMutation({
    mutationFn: (s: Subscription) => subscriptions.unsubscribe(s.service, s.profile, 'operator'),
    onSuccess: (_, s) => {
      notifySuccess(`Profile #${s.profile} unsubscribed.`);
      setToRemove(null);
    },
    onError: (err) => notifyError('Could not unsubscribe', err),
    onSettled: invalidate,
  });

  if (service.isPending) return <Center py="xl"><Loader aria-label="Loading the service" /></Center>;
  if (service.isError) {
    if (isAccessRefused(service.error)) return <AccessRefused needs="Reading services needs a role with access to data." error={service.error} />;
    if ((service.error as { status?: number }).status === 404) return <NotFoundPanel what={`There is no service #${id}.`} back="/audiences/services" />;
    return <LoadError error={service.error} onRetry={() => service.refetch()} />;
  }
  const s = service.data;
  const count = typeof s.subscriberCount === 'number' ? s.subscriberCount : rows.length;

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} to="/audiences/services" size="sm">Services</Anchor>
        <Text size="sm">{String(s.label)}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={3}>{String(s.label)}</Title>
          <Text size="sm" c="dimmed">
            {formatCount(count)} {count === 1 ? 'subscriber' : 'subscribers'}
          </Text>
        </Stack>
        {writer ? <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)}>Edit service</Button> : null}
      </Group>

      <Paper withBorder radius="md" p="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md" verticalSpacing="sm">
          {SERVICE_FORM.map((name) => (
            <Stack key={name} gap={2}>
              <Text size="sm" fw={500}>{fields.get(name)?.label ?? name}</Text>
              <ValueCell field={fields.get(name)} value={s[name]} />
            </Stack>
          ))}
        </SimpleGrid>
      </Paper>

      <Paper withBorder radius="md" p="md">
        <Title order={4} mb="xs">Subscribers</Title>
        <Text size="sm" c="dimmed" mb="sm">Profiles subscribe from their own page (Subscriptions panel); here you can see and remove them.</Text>
        {query.isError ? <LoadError error={query.error} onRetry={() => query.refetch()} /> : null}
        <Table striped verticalSpacing="xs" aria-label="Subscribers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Profile</Table.Th>
              <Table.Th>Origin</Table.Th>
              <Table.Th>Subscribed</Table.Th>
              <Table.Th>Expires</Table.Th>
              {writer ? <Table.Th /> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {!query.isPending && rows.length === 0 ? (
              <Table.Tr><Table.Td colSpan={5}><Text size="sm" c="dimmed" ta="center" py="sm">No subscriber yet.</Text></Table.Td></Table.Tr>
            ) : null}
            {rows.map((sub) => (
              <Table.Tr key={sub.id}>
                <Table.Td><Anchor component={Link} to={`/profiles/${sub.profile}`} size="sm">Profile #{sub.profile}</Anchor></Table.Td>
                <Table.Td><Text size="sm">{sub.origin || '—'}</Text></Table.Td>
                <Table.Td><Text size="sm">{formatDateTime(sub.createdAt)}</Text></Table.Td>
                <Table.Td>{sub.expiresAt ? <Text size="sm">{formatDateTime(sub.expiresAt)}</Text> : <Badge size="sm" variant="light" color="gray">never</Badge>}</Table.Td>
                {writer ? (
                  <Table.Td>
                    <Tooltip label="Unsubscribe" withArrow>
                      <ActionIcon variant="subtle" color="red" aria-label={`Unsubscribe profile #${sub.profile}`} onClick={() => setToRemove(sub)}>
                        <IconX size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group justify="space-between" mt="sm">
          <Text size="sm" c="dimmed">{shownCount(rows.length, ['subscriber', 'subscribers'], query.hasNextPage)}</Text>
          {query.hasNextPage ? (
            <Button variant="default" size="xs" onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>Load more</Button>
          ) : null}
        </Group>
      </Paper>

      <RecordFormModal
        resource={resource}
        opened={editing}
        record={s}
        only={SERVICE_FORM}
        title={`Edit ${String(s.label)}`}
        submitLabel="Save"
        onClose={() => setEditing(false)}
        onSaved={() => {
          notifySuccess('Service saved.');
          setEditing(false);
        }}
      />
      <ConfirmModal
        opened={toRemove !== null}
        title={`Unsubscribe profile #${toRemove?.profile ?? ''}?`}
        confirmLabel="Unsubscribe"
        loading={unsubscribe.isPending}
        onCancel={() => setToRemove(null)}
        onConfirm={() => toRemove && unsubscribe.mutate(toRemove)}
      >
        The profile stops receiving this service's messages. The subscription history keeps a record of it.
      </ConfirmModal>
    </Stack>
  );
}
