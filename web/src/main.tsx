import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';

import { App } from './App';
import { onUnauthenticated } from './api';
import { dropSession } from './auth';
import { queryClient } from './queryClient';

const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
});

// Any 401 (session expired, server restarted) drops the session; RequireAuth then
// sends the user to the login page and back where they were after signing in.
onUnauthenticated(() => dropSession(queryClient));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
