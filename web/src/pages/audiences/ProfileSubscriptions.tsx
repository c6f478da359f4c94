// A profile's subscriptions: service, origin, since when, until when; subscribe to another
// service; unsubscribe after confirming (the server keeps the history).

import { ActionIcon, Anchor, Button, Group, NativeSelect, Paper, Skeleton, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';

import { records, subscriptions, type Subscription } from '../../api';
import { ConfirmModal } from '../../components/ConfirmModal';
import { LoadError } from '../../components/ErrorAlert';
import { notifyError, notifySuccess } from '../../components/notify';
import { formatDateTime } from '../../format';
import { useInvalidate } from '../../hooks/useInvalidate';
import { recordsKey } from '../../records/useSchema';

export const subscriptionsKey = ['subscriptions'] as const;

export function ProfileSubscriptions({ profileId, canWrite }: { profileId: number; canWrite: boolean }) {
  const subs = useQuery({
    queryKey: [...subscriptionsKey, 'profile', profileId],
    queryFn: ({ signal }) => subscriptions.ofProfile(profileId, { limit: 200 }, signal),
  });
  const services = useQuery({
    queryKey: [...recordsKey('service'), 'list', 'all'],
    queryFn: ({ signal }) => records.list('service', { limit: 200, order: 'label' }, signal),
  });
  const invalidate = useInvalidate([subscriptionsKey, recordsKey('service'), ['audit']]);
  const [serviceId, setServiceId] = useState('');
  const [origin, setOrigin] = useState('operator');
  const [toRemove, setToRemove] = useState<Subscription | null>(null);

  const byId = useMemo(() => new Map((services.data?.items ?? []).map((s) => [s.id, s])), [services.data]);
  const subscribed = new Set((subs.data?.items ?? []).map((s) => s.service));
  const choices = (services.data?.items ?? []).filter((s) => !subscribed.has(s.id));
  const label = (id: number) => String(byId.get(id)?.label ?? `Service #${id}`);

  const subscribe = useMutation({
    mutationFn: () => subscriptions.subscribe(Number(serviceId), profileId, origin.trim() || undefined),
    onSuccess: (s) => {
      notifySuccess(`Subscribed to ${label(s.service)}.`);
      setServiceId('');
    },
    onError: (err) => notifyError('Could not subscribe', err),
    onSettled: invalidate,
  });
  const unsubscribe = useMutation({
    mutationFn: (s: Subscription) => subscriptions.unsubscribe(s.service, profileId, 'operator'),
    onSuccess: (_, s) => {
      notifySuccess(`Unsubscribed from ${label(s.service)}.`);
      setToRemove(null);
    },
    onError: (err) => notifyError('Could not unsubscribe', err),
    onSettled: invalidate,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (serviceId) subscribe.mutate();
  };

  const items = subs.data?.items ?? [];
  return (
    <Paper withBorder radius="md" p="md">
      <Title order={4} mb="xs">Subscriptions</Title>
      {subs.isError ? <LoadError error={subs.error} onRetry={() => subs.refetch()} /> : null}
      {subs.isPending ? <Skeleton h={40} /> : null}
      {!subs.isPending && items.length === 0 ? <Text size="sm" c="dimmed">Not subscribed to any service.</Text> : null}
      {items.length > 0 ? (
        <Table verticalSpacing={6} aria-label="Subscriptions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Service</Table.Th>
              <Table.Th>Origin</Table.Th>
              <Table.Th>Since</Table.Th>
              {canWrite ? <Table.Th /> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/audiences/services/${s.service}`} size="sm">{label(s.service)}</Anchor>
                  {s.expiresAt ? <Text size="xs" c="dimmed">until {formatDateTime(s.expiresAt)}</Text> : null}
                </Table.Td>
                <Table.Td><Text size="sm">{s.origin || '—'}</Text></Table.Td>
                <Table.Td><Text size="sm" title={s.createdAt}>{formatDateTime(s.createdAt)}</Text></Table.Td>
                {canWrite ? (
                  <Table.Td>
                    <Tooltip label="Unsubscribe" withArrow>
                      <ActionIcon variant="subtle" color="red" aria-label={`Unsubscribe from ${label(s.service)}`} onClick={() => setToRemove(s)}>
                        <IconX size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}

      {canWrite ? (
        <form onSubmit={submit} aria-label="Subscribe to a service">
          <Stack gap="xs" mt="md">
            <Group grow align="flex-end" gap="xs">
              <NativeSelect
                label="Subscribe to"
                size="xs"
                data={[{ value: '', label: choices.length ? 'Choose a service…' : 'No other service' }, ...choices.map((s) => ({ value: String(s.id), label: String(s.label ?? s.name) }))]}
                value={serviceId}
                onChange={(e) => setServiceId(e.currentTarget.value)}
              />
              <TextInput label="Origin" size="xs" value={origin} onChange={(e) => setOrigin(e.currentTarget.value)} />
            </Group>
            <Group justify="flex-end">
              <Button type="submit" size="xs" variant="light" disabled={!serviceId} loading={subscribe.isPending}>Subscribe</Button>
            </Group>
          </Stack>
        </form>
      ) : null}

      <ConfirmModal
        opened={toRemove !== null}
        title={`Unsubscribe from ${toRemove ? label(toRemove.service) : ''}?`}
        confirmLabel="Unsubscribe"
        loading={unsubscribe.isPending}
        onCancel={() => setToRemove(null)}
        onConfirm={() => toRemove && unsubscribe.mutate(toRemove)}
      >
        The profile stops receiving this service's messages. The subscription history keeps a record of it.
      </ConfirmModal>
    </Paper>
  );
}
