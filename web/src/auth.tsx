// Session state: who is logged in, and the CSRF token that goes with the session.
// GET /auth/me is the source of truth; a null session means "not logged in".

import type { ReactNode } from 'react';
import { Alert, Button, Center, Loader, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { Navigate, useLocation } from 'react-router';

import { ApiError, auth, setCsrfToken, type Session } from './api';

export const SESSION_KEY = ['auth', 'session'] as const;

async function fetchSession(): Promise<Session | null> {
  try {
    const me = await auth.me();
    setCsrfToken(me.csrfToken ?? null);
    return { user: me.user, csrfToken: me.csrfToken ?? null };
  } catch (err) {
    if (err instanceof ApiError && err.isUnauthenticated) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

/** Forgets the session and everything cached under it. */
export function dropSession(client: QueryClient): void {
  setCsrfToken(null);
  notifications.clean(); // the next user must not see the previous one's messages
  client.cancelQueries();
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
  client.setQueryData(SESSION_KEY, null);
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Infinity, retry: false });
}

/** The logged-in user; only call below RequireAuth. */
export function useCurrentUser() {
  const { data } = useSession();
  if (!data) throw new Error('useCurrentUser outside RequireAuth');
  return data.user;
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ username, password }: { username: string; password: string }) =>
      auth.login(username, password),
    onSuccess: ({ user, csrfToken }) => {
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      setCsrfToken(csrfToken);
      const session: Session = { user, csrfToken };
      client.setQueryData(SESSION_KEY, session);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    // Whatever the server answers, the UI forgets the session.
    mutationFn: () => auth.logout().catch(() => undefined),
    onSettled: () => dropSession(client),
  });
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();

  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading session" />
      </Center>
    );
  }
  if (session.isError) {
    return (
      <Center h="100vh" p="md">
        <Stack maw={480}>
          <Alert color="red" title="Cannot load your session">
            {session.error.message}
          </Alert>
          <Button onClick={() => session.refetch()} variant="light">
            Try again
          </Button>
        </Stack>
      </Center>
    );
  }
  if (!session.data) {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return <>{children}</>;
}
