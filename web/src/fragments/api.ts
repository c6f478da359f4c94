// Content fragments over HTTP (docs/deliveries.md, "Content fragments"; src/service/fragments.hpp):
// named blocks of template text that messages include with {% include "name" %}.

import { apiFetch } from '../api/client';
import type { Page } from '../api';

const V1 = '/api/v1';

export interface Fragment {
  id: number;
  name: string;
  label: string;
  description: string;
  source: string;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

export interface NewFragment {
  name: string;
  label?: string;
  description?: string;
  source: string;
}

export type FragmentPatch = Partial<Pick<Fragment, 'label' | 'description' | 'source'>>;

export interface FragmentListParams {
  limit?: number;
  cursor?: string | null;
  q?: string;
}

const one = (id: number) => `${V1}/fragments/${encodeURIComponent(id)}`;

export const fragments = {
  list: (params: FragmentListParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<Fragment>>(`${V1}/fragments`, { query: { limit: 50, ...params }, signal }),
  count: (q = '', signal?: AbortSignal) => apiFetch<{ count: number }>(`${V1}/fragments/_count`, { query: { q }, signal }),
  get: (id: number, signal?: AbortSignal) => apiFetch<Fragment>(one(id), { signal }),
  create: (body: NewFragment) => apiFetch<Fragment>(`${V1}/fragments`, { method: 'POST', body }),
  update: (id: number, patch: FragmentPatch) => apiFetch<Fragment>(one(id), { method: 'PATCH', body: patch }),
  remove: (id: number) => apiFetch<void>(one(id), { method: 'DELETE' }),
};

export const FRAGMENTS_KEY = ['fragments'] as const;
