// One typed function per endpoint of /api/v1 that the web UI uses.

import { apiFetch } from './client';
import type {
  ApiKey, AuditEntry, CreatedApiKey, LoginRequest, LoginResponse, MeResponse, NewApiKey, NewUser, Page, User,
  UserPatch,
} from './types';

const V1 = '/api/v1';

export const auth = {
  /** Throws ApiError 401 on wrong credentials, 429 when throttled. */
  login: (username: string, password: string) =>
    apiFetch<LoginResponse>(`${V1}/auth/login`, {
      method: 'POST',
      body: { username, password } satisfies LoginRequest,
      quiet401: true,
    }),
  /** Throws ApiError 401 when there is no session. */
  me: () => apiFetch<MeResponse>(`${V1}/auth/me`, { quiet401: true }),
  logout: () => apiFetch<void>(`${V1}/auth/logout`, { method: 'POST', quiet401: true }),
};

export interface ListParams {
  limit?: number;
  cursor?: string | null;
  q?: string;
}

export const users = {
  list: ({ limit = 50, cursor, q }: ListParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<User>>(`${V1}/users`, { query: { limit, cursor, q }, signal }),
  create: (user: NewUser) => apiFetch<User>(`${V1}/users`, { method: 'POST', body: user }),
  update: (id: number, patch: UserPatch) =>
    apiFetch<User>(`${V1}/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
};

export const apiKeys = {
  list: ({ limit = 50, cursor }: ListParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<ApiKey>>(`${V1}/api-keys`, { query: { limit, cursor }, signal }),
  create: (key: NewApiKey) => apiFetch<CreatedApiKey>(`${V1}/api-keys`, { method: 'POST', body: key }),
  revoke: (id: number) => apiFetch<void>(`${V1}/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

export const audit = {
  list: ({ limit = 50, cursor }: ListParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<AuditEntry>>(`${V1}/audit`, { query: { limit, cursor }, signal }),
};

export const health = {
  check: () => apiFetch<{ status: string }>('/healthz', { quiet401: true }),
};
