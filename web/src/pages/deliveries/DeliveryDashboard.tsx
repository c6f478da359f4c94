// The sending dashboard (scheduled, sending, paused, stopped, finished, failed): live counters
// (to send, sent, failed, ignored, retrying), the progress bar, throughput and ETA, pause /
// resume / stop per the server's allowedActions, the exclusion causes of the preparation, and
// the sending log (GET /deliveries/{id}/logs, filtered by status, paged by cursor).

import {
  Alert, Anchor, Badge, Button, Group, Paper, Progress, SegmentedControl, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlayerPause, IconPlayerPlay, IconPlayerStop } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';

import { useCurrentUser } from '../../auth';
import { ConfirmModal } from '../../components/ConfirmModal';
import { LoadError } from '../../components/ErrorAlert';
import { formatDateTime } from '../../format';
import { shownCount, useCursorList } from '../../hooks/useCursorList';
import { DELIVERIES_KEY, LOG_STATUSES, deliveries, type Delivery } from '../../deliveries/api';
import { PreparationReport } from '../../deliveries/Exclusions';
import { LOG_STATUS_COLORS } from '../../deliveries/SendingHistory';
import { canConfirm, causeLabel, formatCount, formatDuration, formatRate, sendProgress } from '../../deliveries/state';
import { useDeliveryActions } from './useDeliveryActions';

function Counter({ label, value, color, testId }: { label: string; value: number; color?: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>{label}</Text>
      <Text size="xl" fw={700} c={value ? color : undefined}>{formatCount(value)}</Text>
    </Paper>
  );
}

function SendingLog({ delivery }: { delivery: Delivery }) {
  const [status, setStatus] = useState('');
  const [address, setAddress] = useState('');
  const [a] = useDebouncedValue(address.trim(), 300);
  const { query, rows } = useCursorList({
    queryKey: [...DELIVERIES_KEY, delivery.id, 'logs', status, a],
    fetchPage: (params, signal) => deliveries.logs(delivery.id, { ...params, status: status || undefined, address: a || undefined }, signal),
  });
  // The rows change status as the send goes: refresh the first page when the counters or the
  // state change (the delivery is polled every second), at most every 2 s, unless more pages
  // are loaded (the reader is looking further down).
  const c = delivery.counters;
  const revision = `${delivery.state}:${c.sent}:${c.failed}:${c.retrying}:${c.ignored}`;
  const lastRefresh = useRef(0);
  useEffect(() => {
    if ((query.data?.pages.length ?? 0) > 1 || query.isFetching) return undefined;
    const wait = Math.max(0, lastRefresh.current + 2000 - Date.now());
    const t = setTimeout(() => {
      lastRefresh.current = Date.now();
      query.refetch();
    }, wait);
    return () => clearTimeout(t);
  }, [revision]);

  return (
    <Paper withBorder radius="md" p="md">
      <Group justify="space-between" mb="sm" align="flex-end" wrap="wrap">
        <Title order={5}>Sending log</Title>
        <Group align="flex-end">
          <SegmentedControl
            size="xs"
            aria-label="Status"
            value={status}
            onChange={setStatus}
            data={[{ value: '', label: 'All' }, ...LOG_STATUSES.map((s) => ({ value: s, label: s }))]}
          />
          <TextInput size="xs" label="Address contains" value={address} onChange={(e) => setAddress(e.currentTarget.value)} w={220} />
        </Group>
      </Group>
      {query.isError ? <LoadError error={query.error} onRetry={() => query.refetch()} /> : null}
      <Table.ScrollContainer minWidth={860} type="native">
        <Table striped verticalSpacing={4} aria-label="Sending log">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Profile</Table.Th><Table.Th>Address</Table.Th><Table.Th>Status</Table.Th><Table.Th>Reason</Table.Th>
              <Table.Th>Attempts</Table.Th><Table.Th>Sent</Table.Th><Table.Th>Updated</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.profileId} data-profile={r.profileId}>
                <Table.Td><Anchor component={Link} to={`/profiles/${r.profileId}`} size="sm">#{r.profileId}</Anchor></Table.Td>
                <Table.Td>
                  <Text size="sm">{r.address || '—'}</Text>
                  {r.segmentCode ? <Text size="xs" c="dimmed" data-segment={r.segmentCode}>segment {r.segmentCode}</Text> : null}
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={LOG_STATUS_COLORS[r.status] ?? 'gray'}>{r.status}</Badge>
                  {r.failureType && r.failureType !== r.status ? <Text size="xs" c="dimmed">{r.failureType}</Text> : null}
                </Table.Td>
                <Table.Td>
                  <Tooltip label={r.detail} disabled={!r.detail} withArrow multiline w={360}>
                    <Text size="sm">{r.reason ? causeLabel(r.reason) : '—'}</Text>
                  </Tooltip>
                  {r.nextAttemptAt ? <Text size="xs" c="dimmed">next try {formatDateTime(r.nextAttemptAt)}</Text> : null}
                </Table.Td>
                <Table.Td><Text size="sm">{r.attempts}</Text></Table.Td>
                <Table.Td><Text size="sm">{formatDateTime(r.sentAt)}</Text></Table.Td>
                <Table.Td><Text size="sm">{formatDateTime(r.updatedAt)}</Text></Table.Td>
              </Table.Tr>
            ))}
            {!query.isPending && rows.length === 0 ? (
              <Table.Tr><Table.Td colSpan={7}><Text size="sm" c="dimmed" ta="center">No row{status ? ` with status ${status}` : ''}.</Text></Table.Td></Table.Tr>
            ) : null}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" mt="sm">
        <Text size="sm" c="dimmed">{query.isPending ? 'Loading…' : shownCount(rows.length, ['row', 'rows'], query.hasNextPage)}</Text>
        {query.hasNextPage ? (
          <Button variant="default" size="xs" onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>Load more</Button>
        ) : null}
      </Group>
    </Paper>
  );
}

export function DeliveryDashboard({ delivery }: { delivery: Delivery }) {
  const user = useCurrentUser();
  const actions = useDeliveryActions(delivery.id);
  const [stopping, setStopping] = useState(false);
  const c = delivery.counters;
  const allowed = (a: string) => delivery.allowedActions.includes(a as never);
  const pct = sendProgress(c);
  const sending = delivery.state === 'sending';

  return (
    <Stack gap="md" data-testid="dashboard" data-state={delivery.state}>
      {delivery.state === 'scheduled' ? (
        <Alert color="indigo" variant="light">Scheduled: sending starts {delivery.startAt ? formatDateTime(delivery.startAt) : 'shortly'}.</Alert>
      ) : null}
      {delivery.state === 'failed' ? (
        <Alert color="red" variant="light" title="The send failed">
          {delivery.failure ?? (delivery.preparation?.errors.length ? delivery.preparation.errors.join('; ') : 'The sender could not go on (no usable route, or content that fails to compile).')}
          {' '}Fix the cause, then resume: what was sent stays sent (the log below).
        </Alert>
      ) : null}
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          {allowed('pause') ? (
            <Button variant="light" color="yellow" leftSection={<IconPlayerPause size={16} />} loading={actions.isPending && actions.variables === 'pause'} onClick={() => actions.mutate('pause')}>Pause</Button>
          ) : null}
          {allowed('resume') ? (
            <Tooltip label="Only a supervisor or an administrator can resume a send." disabled={canConfirm(user.role)} withArrow>
              <Button variant="light" color="teal" leftSection={<IconPlayerPlay size={16} />} disabled={!canConfirm(user.role)} loading={actions.isPending && actions.variables === 'resume'} onClick={() => actions.mutate('resume')}>Resume</Button>
            </Tooltip>
          ) : null}
          {allowed('stop') ? (
            <Button variant="light" color="red" leftSection={<IconPlayerStop size={16} />} onClick={() => setStopping(true)}>Stop</Button>
          ) : null}
        </Group>
        <Text size="sm" c="dimmed">
          {delivery.startedAt ? `Started ${formatDateTime(delivery.startedAt)}` : 'Not started'}
          {delivery.finishedAt ? ` · ended ${formatDateTime(delivery.finishedAt)}` : ''}
          {delivery.validUntil ? ` · retries until ${formatDateTime(delivery.validUntil)}` : ''}
        </Text>
      </Group>

      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
        <Counter label="To send" value={c.toSend} testId="counter-to-send" />
        <Counter label="Sent" value={c.sent} color="teal" testId="counter-sent" />
        <Counter label="Failed" value={c.failed} color="red" testId="counter-failed" />
        <Counter label="Ignored" value={c.ignored} color="yellow" testId="counter-ignored" />
        <Counter label="Retrying" value={c.retrying} color="orange" testId="counter-retrying" />
      </SimpleGrid>
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" mb={6}>
          <Text size="sm" fw={500}>{formatCount(c.sent + c.failed)} of {formatCount(c.toSend)} handled ({pct.toFixed(pct >= 10 || pct === 0 ? 0 : 1)}%)</Text>
          <Text size="sm" c="dimmed" data-testid="throughput">
            {formatRate(c.perSecond)}{sending ? ` · ETA ${formatDuration(c.etaSeconds)}` : ''}
          </Text>
        </Group>
        <Progress.Root size="lg" aria-label="Sending progress">
          <Progress.Section value={c.toSend ? (c.sent / c.toSend) * 100 : 0} color="teal" animated={sending} striped={sending} />
          <Progress.Section value={c.toSend ? (c.failed / c.toSend) * 100 : 0} color="red" />
        </Progress.Root>
        {c.pending ? <Text size="xs" c="dimmed" mt={4}>{formatCount(c.pending)} not sent yet{c.retrying ? `, of which ${formatCount(c.retrying)} wait for a retry` : ''}.</Text> : null}
      </Paper>

      {delivery.preparation ? (
        <Paper withBorder radius="md" p="md">
          <Title order={5} mb="sm">Preparation</Title>
          <PreparationReport preparation={delivery.preparation} />
        </Paper>
      ) : null}

      <SendingLog delivery={delivery} />

      <ConfirmModal
        opened={stopping}
        title="Stop the send for good?"
        confirmLabel="Stop"
        loading={actions.isPending}
        onConfirm={() => {
          setStopping(false);
          actions.mutate('stop');
        }}
        onCancel={() => setStopping(false)}
      >
        Recipients not sent yet will not get it, and a stopped delivery cannot be resumed. To hold it for a while, pause instead.
      </ConfirmModal>
    </Stack>
  );
}
