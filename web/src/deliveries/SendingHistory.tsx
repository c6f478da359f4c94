// The profile page's "Sending history": the deliveries sent (or tried) to the profile, newest
// first (GET /api/v1/profiles/{id}/deliveries).

import { Anchor, Badge, Paper, Skeleton, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { LoadError } from '../components/ErrorAlert';
import { formatDateTime } from '../format';
import { DELIVERIES_KEY, deliveries } from './api';

export const LOG_STATUS_COLORS: Record<string, string> = { pending: 'gray', sent: 'teal', failed: 'red', ignored: 'yellow' };

export function SendingHistory({ profileId }: { profileId: number }) {
  const history = useQuery({
    queryKey: [...DELIVERIES_KEY, 'profile-history', profileId],
    queryFn: ({ signal }) => deliveries.profileHistory(profileId, signal),
    retry: false,
  });
  return (
    <Paper withBorder radius="md" p="md">
      <Title order={4} mb="xs">Sending history</Title>
      {history.isPending ? <Skeleton h={40} /> : null}
      {history.isError ? <LoadError error={history.error} onRetry={() => history.refetch()} /> : null}
      {history.data && history.data.items.length === 0 ? (
        <Text size="sm" c="dimmed">No message was sent to this profile yet.</Text>
      ) : null}
      {history.data && history.data.items.length ? (
        <Table.ScrollContainer minWidth={360} type="native">
          <Table verticalSpacing={4} aria-label="Sending history">
            <Table.Thead>
              <Table.Tr><Table.Th>Delivery</Table.Th><Table.Th>Status</Table.Th><Table.Th>When</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.items.map((h) => (
                <Table.Tr key={`${h.deliveryId}`} data-delivery={h.deliveryId}>
                  <Table.Td>
                    <Anchor component={Link} to={`/messages/${h.deliveryId}`} size="sm">{h.deliveryLabel}</Anchor>
                    <Text size="xs" c="dimmed">{h.address}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={h.reason || h.failureType || h.status} disabled={!h.reason && !h.failureType} withArrow>
                      <Badge size="sm" variant="light" color={LOG_STATUS_COLORS[h.status] ?? 'gray'}>{h.status}</Badge>
                    </Tooltip>
                    {h.attempts > 1 ? <Text size="xs" c="dimmed">{h.attempts} attempts</Text> : null}
                  </Table.Td>
                  <Table.Td><Text size="xs">{formatDateTime(h.sentAt ?? h.updatedAt)}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Paper>
  );
}
