import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';

import { useLogin, useSession } from '../auth';

export function LoginPage() {
  const session = useSession();
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  if (session.data) return <Navigate to={from} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { username: username.trim(), password },
      { onSuccess: () => navigate(from === '/login' ? '/' : from, { replace: true }) },
    );
  };

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Stack w={380} gap="lg">
        <Stack gap={4} align="center">
          <Title order={1} c="indigo.7">
            Overture
          </Title>
          <Text c="dimmed" size="sm">
            Campaign orchestration
          </Text>
        </Stack>
        <Paper withBorder shadow="sm" p="xl" radius="md" component="form" onSubmit={submit} aria-label="Sign in">
          <Stack>
            <Title order={3}>Sign in</Title>
            {login.isError ? (
              <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" title="Sign-in failed">
                {login.error.message}
              </Alert>
            ) : null}
            <TextInput
              label="Username"
              autoComplete="username"
              required
              withAsterisk={false}
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              withAsterisk={false}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={login.isPending} fullWidth mt="xs">
              Sign in
            </Button>
          </Stack>
        </Paper>
      </Stack>
    </Center>
  );
}
