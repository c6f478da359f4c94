// The expression language over HTTP (POST /api/v1/query/validate | count | preview) and the
// audiences built on it (/api/v1/audiences…). An expression goes either as text
// ("expression") or as the JSON form ("json"), see docs/query-language.md.

import { apiFetch } from './client';
import type { DataRecord } from './schema';
import type { Page } from './types';

const V1 = '/api/v1';

/** An expression as text or as the JSON form (exactly one of the two). */
export type ExpressionInput = { expression: string; json?: never } | { json: unknown; expression?: never };

/** Answer of POST /query/validate. */
export interface ValidateResult {
  valid: true;
  resource: string;
  /** The canonical text. */
  expression: string;
  /** The JSON form. */
  json: unknown;
}

export interface QueryCount {
  count: number;
  expression: string;
}

export interface PreviewResult {
  items: DataRecord[];
}

export const query = {
  validate: (resource: string, input: ExpressionInput, signal?: AbortSignal) =>
    apiFetch<ValidateResult>(`${V1}/query/validate`, { method: 'POST', body: { resource, ...input }, signal }),
  count: (resource: string, input: ExpressionInput, signal?: AbortSignal) =>
    apiFetch<QueryCount>(`${V1}/query/count`, { method: 'POST', body: { resource, ...input }, signal }),
  preview: (resource: string, input: ExpressionInput, columns: string[], limit = 20, signal?: AbortSignal) =>
    apiFetch<PreviewResult>(`${V1}/query/preview`, { method: 'POST', body: { resource, ...input, columns, limit }, signal }),
};

export type AudienceKind = 'query' | 'list';

export interface Audience {
  id: number;
  label: string;
  description: string;
  kind: AudienceKind;
  resource: string;
  /** The canonical text of the query (for a list, the query it was taken from). */
  expression: string | null;
  json: unknown;
  expiresAt: string | null;
  expired: boolean;
  /** Lists: how many members the snapshot holds. */
  memberCount: number | null;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

export interface NewAudience {
  label: string;
  description?: string;
  kind: AudienceKind;
  resource?: string;
  json?: unknown;
  expression?: string;
  expiresAt?: string | null;
}

export interface AudiencePatch {
  label?: string;
  description?: string;
  expiresAt?: string | null;
  json?: unknown;
  expression?: string;
}

const one = (id: number | string) => `${V1}/audiences/${encodeURIComponent(id)}`;

export const audiences = {
  list: ({ limit = 50, cursor, q }: { limit?: number; cursor?: string | null; q?: string } = {}, signal?: AbortSignal) =>
    apiFetch<Page<Audience>>(`${V1}/audiences`, { query: { limit, cursor, q }, signal }),
  get: (id: number | string, signal?: AbortSignal) => apiFetch<Audience>(one(id), { signal }),
  create: (body: NewAudience) => apiFetch<Audience>(`${V1}/audiences`, { method: 'POST', body }),
  update: (id: number | string, patch: AudiencePatch) => apiFetch<Audience>(one(id), { method: 'PATCH', body: patch }),
  remove: (id: number | string) => apiFetch<void>(one(id), { method: 'DELETE' }),
  count: (id: number | string, signal?: AbortSignal) =>
    apiFetch<{ count: number }>(`${one(id)}/count`, { method: 'POST', body: {}, signal }),
  preview: (id: number | string, columns: string[], limit = 20, signal?: AbortSignal) =>
    apiFetch<PreviewResult>(`${one(id)}/preview`, { method: 'POST', body: { columns, limit }, signal }),
  /** The CSV download's URL (a plain link: the session cookie goes with it). */
  exportUrl: (id: number | string, columns: string[]) =>
    `${one(id)}/export${columns.length ? `?columns=${encodeURIComponent(columns.join(','))}` : ''}`,
};
