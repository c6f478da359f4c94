// The notification bell in the application header: the unread count as a badge (asked every
// 30 seconds), a dropdown with the latest unread notifications (level colour, title, message,
// time); clicking one marks it read and opens its link; "Mark all read" clears the count.

import { ActionIcon, Box, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconBell } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';

import { notifications, type AppNotification } from './api';
import { badgeText, internalPath, levelColor, timeAgo } from './format';

const KEY = ['notifications', 'unread'] as const;
const POLL_MS = 30_000;

export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const query = useQuery({
    queryKey: KEY,
    queryFn: () => notifications.list({ unread: true, limit: 10 }),
    refetchInterval: POLL_MS,
    retry: false,
  });
  const markRead = useMutation({
    mutationFn: (ids?: number[]) => notifications.markRead(ids),
    onSettled: () => client.invalidateQueries({ queryKey: KEY }),
  });

  const unread = query.data?.unread ?? 0;
  const items = query.data?.items ?? [];
  const badge = badgeText(unread);

  const open = (n: AppNotification) => {
    markRead.mutate([n.id]);
    setOpened(false);
    const path = internalPath(n.link);
    if (path) navigate(path);
  };

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={360} shadow="md" withArrow>
      <Popover.Target>
        <Indicator label={badge} size={16} color="red" disabled={badge === ''} offset={4} data-testid="notification-badge">
          <ActionIcon
            variant="default"
            size="lg"
            aria-label={unread ? `Notifications (${unread} unread)` : 'Notifications'}
            onClick={() => setOpened((o) => !o)}
            data-testid="notification-bell"
          >
            <IconBell size={16} />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p="xs" data-testid="notification-dropdown">
        <Group justify="space-between" mb={6} px={4}>
          <Text fw={600} size="sm">Notifications</Text>
          <Button
            variant="subtle"
            size="compact-xs"
            disabled={unread === 0}
            loading={markRead.isPending}
            onClick={() => markRead.mutate(undefined)}
          >
            Mark all read
          </Button>
        </Group>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed" px={4} py="sm">
            {query.isError ? 'Notifications are not available right now.' : 'No unread notifications.'}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={400}>
            <Stack gap={4}>
              {items.map((n) => (
                <UnstyledButton key={n.id} onClick={() => open(n)} p={6} data-testid="notification-item" style={{ borderRadius: 4 }}>
                  <Group gap={8} wrap="nowrap" align="flex-start">
                    <Box w={8} h={8} mt={6} bg={`${levelColor(n.level)}.6`} style={{ borderRadius: '50%', flexShrink: 0 }} aria-label={n.level} />
                    <Box style={{ minWidth: 0 }}>
                      <Text size="sm" fw={500} lineClamp={1}>{n.title}</Text>
                      <Text size="xs" c="dimmed" lineClamp={3}>{n.message}</Text>
                      <Text size="xs" c="dimmed" title={n.createdAt}>{timeAgo(n.createdAt)}</Text>
                    </Box>
                  </Group>
                </UnstyledButton>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
