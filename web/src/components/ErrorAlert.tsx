import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { ApiError } from '../api';
import { useCurrentUser } from '../auth';
import { roleLabel } from '../format';

/** Shown instead of a page's content when the API answers 403. */
export function AccessRefused({ needs, error }: { needs: string; error?: unknown }) {
  const user = useCurrentUser();
  const serverMessage = error instanceof ApiError ? error.message : null;
  return (
    <Alert color="orange" variant="light" title="Access refused" icon={<IconLock size={18} />} role="alert">
      <Stack gap={4}>
        <Text size="sm">
          {needs} You are signed in as {user.username}, with the {roleLabel(user.role).toLowerCase()} role.
        </Text>
        {serverMessage ? (
          <Text size="xs" c="dimmed">
            Server: {serverMessage}
          </Text>
        ) : null}
      </Stack>
    </Alert>
  );
}

/** A failed load: the server's message and a retry button. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" variant="light" title="Could not load" icon={<IconAlertTriangle size={18} />} role="alert" mb="md">
      <Group justify="space-between" wrap="nowrap">
        <span>{message}</span>
        {onRetry ? (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        ) : null}
      </Group>
    </Alert>
  );
}

export function isAccessRefused(error: unknown): boolean {
  return error instanceof ApiError && error.isPermissionDenied;
}
