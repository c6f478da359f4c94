// The application frame: header (product, notification bell, who is logged in, logout) and the
// section navbar.

import { ActionIcon, AppShell, Badge, Burger, Button, Divider, Group, NavLink, ScrollArea, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconCalendarEvent, IconChartBar, IconHome, IconLogout, IconMail, IconRoute, IconSettings, IconUsersGroup, IconWorldWww,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';

import { useCurrentUser, useLogout } from '../auth';
import { ROLE_COLORS, roleLabel } from '../format';
import { NotificationBell } from '../notifications/Bell';
import { SECTIONS } from '../sections';

const ICONS: Record<string, ComponentType<{ size?: number; stroke?: number }>> = {
  '/plan': IconCalendarEvent,
  '/audiences': IconUsersGroup,
  '/workflows': IconRoute,
  '/messages': IconMail,
  '/landing-pages': IconWorldWww,
  '/reports': IconChartBar,
  '/admin': IconSettings,
};

export function AppFrame() {
  const [opened, { toggle, close }] = useDisclosure();
  const user = useCurrentUser();
  const logout = useLogout();
  const location = useLocation();
  const navigate = useNavigate();

  const signOut = () => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });
  const isActive = (path: string) =>
    location.pathname === path ||
    location.pathname.startsWith(`${path}/`) ||
    (path === '/audiences' && location.pathname.startsWith('/profiles/'));

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <UnstyledButton component={Link} to="/" aria-label="Overture home">
              <Title order={3} c="indigo.7" fw={700}>
                Overture
              </Title>
            </UnstyledButton>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <NotificationBell />
            <Text size="sm" fw={500} data-testid="current-user" visibleFrom="xs">
              {user.displayName || user.username}
            </Text>
            <Badge color={ROLE_COLORS[user.role] ?? 'gray'} variant="light" data-testid="current-role" visibleFrom="xs">
              {roleLabel(user.role)}
            </Badge>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconLogout size={14} />}
              loading={logout.isPending}
              onClick={signOut}
              visibleFrom="xs"
            >
              Log out
            </Button>
            <ActionIcon variant="default" size="lg" aria-label="Log out" onClick={signOut} hiddenFrom="xs">
              <IconLogout size={16} />
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Sections">
        <AppShell.Section grow component={ScrollArea}>
          <NavLink
            component={Link}
            to="/"
            label="Home"
            leftSection={<IconHome size={18} stroke={1.5} />}
            active={location.pathname === '/'}
            onClick={close}
          />
          <Divider my={6} />
          {SECTIONS.map((s) => {
            const Icon = ICONS[s.path];
            return (
              <NavLink
                key={s.path}
                component={Link}
                to={s.path}
                label={s.label}
                leftSection={Icon ? <Icon size={18} stroke={1.5} /> : null}
                active={isActive(s.path)}
                onClick={close}
              />
            );
          })}
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm" py={6}>
            Overture · early build
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main bg="gray.0">
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
