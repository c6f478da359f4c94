// Deliveries over HTTP (docs/deliveries.md, src/service/deliveries.hpp): the delivery resource and
// its transitions, proofs, preview, sending logs, a profile's sending history, and typologies.
// Types as the C++ server sends them (camelCase, RFC 3339 times or null).

import { apiFetch } from '../api/client';
import type { Page } from '../api';

const V1 = '/api/v1';

export const DELIVERY_STATES = [
  'draft', 'preparing', 'ready', 'scheduled', 'sending', 'paused', 'stopped', 'finished', 'failed',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const DELIVERY_ACTIONS = ['edit', 'prepare', 'confirm', 'pause', 'resume', 'stop', 'delete', 'proof'] as const;
export type DeliveryAction = (typeof DELIVERY_ACTIONS)[number];

export interface Mailbox {
  name: string;
  address: string;
}

export type TextMode = 'auto' | 'manual';
export type EditorMode = 'html' | 'mjml';

export interface DeliveryContent {
  from: Mailbox;
  replyTo: Mailbox | null;
  subject: string;
  html: string;
  text: string;
  textMode: TextMode;
  editor: EditorMode;
  mjml: string;
  preheader: string;
}

export type DeliveryAudience =
  | { kind: 'audience'; audienceId: number }
  | { kind: 'query'; expression: string }
  | { kind: 'list'; profileIds: number[] };

export type Schedule =
  | { kind: 'now' }
  | { kind: 'at'; at: string }
  | { kind: 'local'; date: string; time: string; defaultTimeZone: string };

export interface DeliverySettings {
  testProfileIds: number[];
  schedule: Schedule;
  validityHours: number;
  throughputPerHour: number;
  retryDelaySeconds: number;
}

export interface Exclusion {
  cause: string;
  count: number;
}

export interface Preparation {
  total: number;
  toSend: number;
  excluded: Exclusion[];
  warnings: string[];
  errors: string[];
  preparedAt: string | null;
}

export interface DeliveryCounters {
  toSend: number;
  pending: number;
  retrying: number;
  sent: number;
  failed: number;
  ignored: number;
  perSecond: number;
  etaSeconds: number | null;
}

export interface Delivery {
  id: number;
  label: string;
  channel: 'email';
  isTemplate: boolean;
  state: DeliveryState;
  allowedActions: DeliveryAction[];
  routeId: number | null;
  typologyId: number | null;
  /** Partial: a new delivery may have only some of the fields. */
  content: Partial<DeliveryContent>;
  audience: Partial<DeliveryAudience> & { kind?: DeliveryAudience['kind'] };
  settings: Partial<DeliverySettings>;
  preparation: Preparation | null;
  progress: { done: number; total: number };
  counters: DeliveryCounters;
  startAt: string | null;
  validUntil: string | null;
  confirmedAt: string | null;
  confirmedBy: string;
  startedAt: string | null;
  finishedAt: string | null;
  proofCount: number;
  failure?: string | null;  // why the delivery failed (state failed)
  version: number;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

export interface NewDelivery {
  label: string;
  isTemplate?: boolean;
  fromDelivery?: number;
  routeId?: number | null;
  typologyId?: number | null;
  content?: Partial<DeliveryContent>;
  audience?: DeliveryAudience;
  settings?: Partial<DeliverySettings>;
}

export interface DeliveryPatch {
  label?: string;
  routeId?: number | null;
  typologyId?: number | null;
  content?: Partial<DeliveryContent>;
  audience?: DeliveryAudience;
  settings?: Partial<DeliverySettings>;
  version?: number;
}

export interface DeliveryListParams {
  limit?: number;
  cursor?: string | null;
  /** Any of these states. */
  states?: DeliveryState[];
  q?: string;
  template?: boolean;
  createdAfter?: string | null;
  createdBefore?: string | null;
}

export interface ProofRecipient {
  testProfileId: number;
  address: string;
  status: string;
  reason: string;
}

export interface ProofResult {
  number: number;
  recipients: ProofRecipient[];
}

export interface ProofEntry extends ProofRecipient {
  number: number;
  sentAt: string;
  sentBy: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export type PreviewTarget = { profileId: number } | { testProfileId: number };

export const LOG_STATUSES = ['pending', 'sent', 'failed', 'ignored'] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

export interface SendingLogEntry {
  profileId: number;
  address: string;
  status: LogStatus;
  failureType: string;
  reason: string;
  detail: string;
  /** The workflow segment the recipient came from (Segmentation activity), or ''. */
  segmentCode: string;
  attempts: number;
  nextAttemptAt: string | null;
  sentAt: string | null;
  updatedAt: string;
}

export interface LogParams {
  limit?: number;
  cursor?: string | null;
  status?: string;
  reason?: string;
  address?: string;
}

export interface HistoryEntry {
  deliveryId: number;
  deliveryLabel: string;
  address: string;
  status: LogStatus;
  failureType: string;
  reason: string;
  attempts: number;
  sentAt: string | null;
  updatedAt: string;
}

export interface TypologyRules {
  filters: { name: string; label: string; expression: string }[];
  fatigue: { name: string; label: string; max: number; windowHours: number; channel: 'email' | 'any' }[];
  requireProof: boolean;
  requireDkim: boolean;
}

export interface Typology {
  id: number;
  name: string;
  label: string;
  rules: TypologyRules;
  createdAt: string;
}

const one = (id: number) => `${V1}/deliveries/${encodeURIComponent(id)}`;

function listQuery({ limit, cursor, states, q, template, createdAfter, createdBefore }: DeliveryListParams) {
  return {
    limit,
    cursor,
    state: states && states.length ? states.join(',') : undefined,
    q,
    template: template === undefined ? undefined : String(template),
    createdAfter,
    createdBefore,
  };
}

export const deliveries = {
  list: (params: DeliveryListParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<Delivery>>(`${V1}/deliveries`, { query: listQuery({ limit: 50, ...params }), signal }),
  count: (params: DeliveryListParams = {}, signal?: AbortSignal) =>
    apiFetch<{ count: number }>(`${V1}/deliveries/_count`, { query: listQuery({ ...params, limit: undefined }), signal }),
  get: (id: number, signal?: AbortSignal) => apiFetch<Delivery>(one(id), { signal }),
  create: (body: NewDelivery) => apiFetch<Delivery>(`${V1}/deliveries`, { method: 'POST', body }),
  update: (id: number, patch: DeliveryPatch) => apiFetch<Delivery>(one(id), { method: 'PATCH', body: patch }),
  remove: (id: number) => apiFetch<void>(one(id), { method: 'DELETE' }),
  /** prepare, confirm, pause, resume or stop. */
  transition: (id: number, action: 'prepare' | 'confirm' | 'pause' | 'resume' | 'stop') =>
    apiFetch<Delivery>(`${one(id)}/${action}`, { method: 'POST' }),
  proof: (id: number, testProfileIds?: number[]) =>
    apiFetch<ProofResult>(`${one(id)}/proof`, {
      method: 'POST',
      body: testProfileIds && testProfileIds.length ? { testProfileIds } : {},
    }),
  proofs: (id: number, signal?: AbortSignal) => apiFetch<{ items: ProofEntry[] }>(`${one(id)}/proofs`, { signal }),
  preview: (id: number, target: PreviewTarget, signal?: AbortSignal) =>
    apiFetch<RenderedEmail>(`${one(id)}/preview`, { method: 'POST', body: target, signal }),
  logs: (id: number, params: LogParams = {}, signal?: AbortSignal) =>
    apiFetch<Page<SendingLogEntry>>(`${one(id)}/logs`, { query: { limit: 50, ...params }, signal }),
  profileHistory: (profileId: number, signal?: AbortSignal) =>
    apiFetch<{ items: HistoryEntry[] }>(`${V1}/profiles/${encodeURIComponent(profileId)}/deliveries`, { signal }),
};

export const typologies = {
  list: (signal?: AbortSignal) => apiFetch<Page<Typology>>(`${V1}/typologies`, { signal }),
};

export const DELIVERIES_KEY = ['deliveries'] as const;

/** POST /api/v1/templates/render: the editor's live preview of content not saved yet. */
export const templates = {
  render: (
    parts: { subject?: string; html?: string; text?: string },
    target: PreviewTarget | null,
    signal?: AbortSignal,
  ) => apiFetch<{ subject: string | null; html: string | null; text: string | null }>(`${V1}/templates/render`, {
    method: 'POST',
    body: { ...parts, ...(target ?? {}) },
    signal,
  }),
};
