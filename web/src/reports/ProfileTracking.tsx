// The profile page's "Opens and clicks": the person's tracking events, newest first
// (GET /api/v1/profiles/{id}/tracking, paged by cursor): kind, the machine-open flag and the time,
// then the delivery linked to its report, the link of a click, and the device and client.

import { Anchor, Badge, Button, Group, Paper, Skeleton, Table, Text, Title, Tooltip } from '@mantine/core';
import { Link } from 'react-router';

import { LoadError } from '../components/ErrorAlert';
import { formatDateTime } from '../format';
import { useCursorList } from '../hooks/useCursorList';
import { REPORTS_KEY, reports } from './api';
import { deviceClientLabel, kindBadge } from './format';
import { isPersonalized } from './hotclicks';

export function ProfileTracking({ profileId }: { profileId: number }) {
  const { query, rows } = useCursorList({
    queryKey: [...REPORTS_KEY, 'profile-tracking', profileId],
    fetchPage: (params, signal) => reports.profileTracking(profileId, params, signal),
    pageSize: 20,
  });
  return (
    <Paper withBorder radius="md" p="md">
      <Title order={4} mb="xs">Opens and clicks</Title>
      {query.isPending ? <Skeleton h={40} /> : null}
      {query.isError ? <LoadError error={query.error} onRetry={() => query.refetch()} /> : null}
      {!query.isPending && !query.isError && rows.length === 0 ? (
        <Text size="sm" c="dimmed">No open or click yet: they appear here within seconds of this person opening a message or clicking a link.</Text>
      ) : null}
      {rows.length ? (
        <Table verticalSpacing={4} aria-label="Opens and clicks" data-testid="profile-tracking">
          <Table.Thead>
            <Table.Tr><Table.Th>Event</Table.Th><Table.Th>Delivery</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((e) => {
              const k = kindBadge(e.kind);
              return (
                <Table.Tr key={e.id} data-event={e.id} data-kind={e.kind}>
                  <Table.Td style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                    <Group gap={4} wrap="nowrap">
                      <Badge size="sm" variant="light" color={k.color}>{k.label}</Badge>
                      {e.machine ? (
                        <Tooltip label="Opened by a privacy proxy, a scanner or a bot, or within seconds of delivery: not counted as a human open." multiline w={260} withArrow>
                          <Badge size="sm" variant="outline" color="gray">machine</Badge>
                        </Tooltip>
                      ) : null}
                    </Group>
                    <Text size="xs" c="dimmed">{formatDateTime(e.at)}</Text>
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    {e.deliveryLabel ? (
                      <Anchor component={Link} to={`/messages/${e.deliveryId}/report`} size="sm">{e.deliveryLabel}</Anchor>
                    ) : (
                      <Text size="sm" c="dimmed">Delivery #{e.deliveryId} (deleted)</Text>
                    )}
                    {e.kind === 'click' ? (
                      <Text size="xs" style={{ wordBreak: 'break-all' }}>
                        {e.linkLabel || `Link ${e.linkId ?? ''}`}{e.url && !isPersonalized(e.url) ? `: ${e.url}` : ''}
                      </Text>
                    ) : null}
                    <Text size="xs" c="dimmed">{deviceClientLabel(e.device, e.client)}</Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      ) : null}
      {query.hasNextPage ? (
        <Button variant="default" size="xs" mt="xs" onClick={() => query.fetchNextPage()} loading={query.isFetchingNextPage}>Load more</Button>
      ) : null}
    </Paper>
  );
}
