// Endpoints of the data model and of the generic record API (profiles, test profiles, services,
// quarantine, custom resources), subscriptions and quarantine release.

import { apiFetch, type QueryValue } from './client';
import type { Page } from './types';
import type { CountResult, DataRecord, PublishRequest, PublishResult, SchemaDoc, Subscription } from './schema';

const V1 = '/api/v1';

/** The built-in resources that have their own path; every other one is under /resources/{name}. */
const BUILTIN_PATHS: Record<string, string> = {
  profile: `${V1}/profiles`,
  testProfile: `${V1}/test-profiles`,
  service: `${V1}/services`,
  quarantine: `${V1}/quarantine`,
};

/** The collection path of a resource's records. */
export function recordsPath(resource: string): string {
  return BUILTIN_PATHS[resource] ?? `${V1}/resources/${encodeURIComponent(resource)}`;
}

export interface RecordListParams {
  limit?: number;
  cursor?: string | null;
  /** A field name, or "-field" for descending. */
  order?: string;
  /** Free-text search. */
  q?: string;
  /** Equality filters: ?field=value. */
  filters?: Record<string, QueryValue>;
}

export const schema = {
  get: (signal?: AbortSignal) => apiFetch<SchemaDoc>(`${V1}/schema`, { signal }),
  publish: (body: PublishRequest) => apiFetch<PublishResult>(`${V1}/schema/publish`, { method: 'POST', body }),
};

export const records = {
  list: (resource: string, { limit = 50, cursor, order, q, filters }: RecordListParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<DataRecord>>(recordsPath(resource), { query: { ...filters, limit, cursor, order, q }, signal }),
  count: (resource: string, { q, filters }: Pick<RecordListParams, 'q' | 'filters'> = {}, signal?: AbortSignal) =>
    apiFetch<CountResult>(`${recordsPath(resource)}/_count`, { query: { ...filters, q }, signal }),
  get: (resource: string, id: number | string, signal?: AbortSignal) =>
    apiFetch<DataRecord>(`${recordsPath(resource)}/${encodeURIComponent(id)}`, { signal }),
  create: (resource: string, body: Record<string, unknown>) =>
    apiFetch<DataRecord>(recordsPath(resource), { method: 'POST', body }),
  update: (resource: string, id: number | string, patch: Record<string, unknown>) =>
    apiFetch<DataRecord>(`${recordsPath(resource)}/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
  remove: (resource: string, id: number | string) =>
    apiFetch<void>(`${recordsPath(resource)}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

export const subscriptions = {
  ofService: (serviceId: number, { limit = 50, cursor }: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    apiFetch<Page<Subscription>>(`${V1}/services/${encodeURIComponent(serviceId)}/subscriptions`, { query: { limit, cursor }, signal }),
  ofProfile: (profileId: number, { limit = 50, cursor }: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    apiFetch<Page<Subscription>>(`${V1}/profiles/${encodeURIComponent(profileId)}/subscriptions`, { query: { limit, cursor }, signal }),
  subscribe: (serviceId: number, profile: number, origin?: string) =>
    apiFetch<Subscription>(`${V1}/services/${encodeURIComponent(serviceId)}/subscriptions`, {
      method: 'POST',
      body: origin ? { profile, origin } : { profile },
    }),
  unsubscribe: (serviceId: number, profileId: number, origin?: string) =>
    apiFetch<void>(`${V1}/services/${encodeURIComponent(serviceId)}/subscriptions/${encodeURIComponent(profileId)}`, {
      method: 'DELETE',
      query: { origin },
    }),
};

export const quarantine = {
  release: (id: number) => apiFetch<DataRecord>(`${V1}/quarantine/${encodeURIComponent(id)}/release`, { method: 'POST' }),
};
