import { Anchor, Badge, Group, List, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { health } from '../api';
import { useCurrentUser } from '../auth';
import { SECTIONS } from '../sections';

export function HomePage() {
  const user = useCurrentUser();
  const status = useQuery({ queryKey: ['healthz'], queryFn: health.check, retry: false });
  const notBuilt = SECTIONS.filter((s) => s.arrivesWith);

  return (
    <Stack gap="lg" maw={960}>
      <Stack gap={4}>
        <Title order={2}>Welcome, {user.displayName || user.username}</Title>
        <Text c="dimmed">
          Overture is an open-source campaign orchestration platform. This is an early build: here is what works today
          and what is still to come.
        </Text>
      </Stack>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="lg" radius="md">
          <Title order={4} mb="sm">
            Available now
          </Title>
          <List spacing="xs" size="sm">
            <List.Item>
              <Anchor component={Link} to="/audiences/profiles">Profiles</Anchor>, subscription{' '}
              <Anchor component={Link} to="/audiences/services">services</Anchor>, test profiles and quarantine.
            </List.Item>
            <List.Item>
              <Anchor component={Link} to="/admin/data-model">Data model</Anchor>: custom fields and resources, reviewed
              as SQL before they are published.
            </List.Item>
            <List.Item>
              <Anchor component={Link} to="/admin/users">Users</Anchor>: accounts and their roles (administrators).
            </List.Item>
            <List.Item>
              <Anchor component={Link} to="/admin/api-keys">API keys</Anchor>: keys for scripts and integrations, shown
              once and revocable.
            </List.Item>
            <List.Item>
              <Anchor component={Link} to="/admin/audit">Audit trail</Anchor>: who changed what, and when (administrators).
            </List.Item>
            <List.Item>
              The REST API, described in{' '}
              <Anchor href="/api/v1/openapi.yaml" target="_blank" rel="noreferrer">
                openapi.yaml
              </Anchor>
              .
            </List.Item>
          </List>
        </Paper>

        <Paper withBorder p="lg" radius="md">
          <Title order={4} mb="sm">
            Not built yet
          </Title>
          <List spacing="xs" size="sm">
            {notBuilt.map((s) => (
              <List.Item key={s.path}>
                <Anchor component={Link} to={s.path}>{s.label}</Anchor>: arrives with {s.arrivesWith}.
              </List.Item>
            ))}
            <List.Item>
              Audiences and imports (in <Anchor component={Link} to="/audiences">Profiles & audiences</Anchor>): arrive with
              the audience query builder and import workflows.
            </List.Item>
          </List>
        </Paper>
      </SimpleGrid>

      <Group gap="xs">
        <Text size="sm" c="dimmed">
          Server status:
        </Text>
        {status.isPending ? (
          <Badge color="gray" variant="light">checking</Badge>
        ) : status.isError ? (
          <Badge color="red" variant="light" title={status.error.message}>unreachable</Badge>
        ) : (
          <Badge color={status.data?.status === 'ok' ? 'teal' : 'orange'} variant="light">
            {status.data?.status ?? 'unknown'}
          </Badge>
        )}
      </Group>
    </Stack>
  );
}
