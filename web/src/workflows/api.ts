// Workflows over HTTP (docs/workflows.md, DESIGN.md section 8): the workflow resource with its
// graph, live validation, the activity types of the palette, the run commands, runs, their
// detail (tasks, counts on transitions) and their log. Types as the C++ server sends them
// (camelCase, RFC 3339 times or null).

import { apiFetch } from '../api/client';
import type { Page } from '../api';

const V1 = '/api/v1';

export type ErrorPolicy = 'stop' | 'skip' | 'retry';

export interface OnError {
  policy: ErrorPolicy;
  retries?: number;
  delaySeconds?: number;
}

export type Params = Record<string, unknown>;

export interface ActivityDef {
  id: string;
  type: string;
  label: string;
  x: number;
  y: number;
  params: Params;
  onError?: OnError;
}

export interface TransitionDef {
  id: string;
  from: string;
  fromPort?: string;
  to: string;
  toPort?: string;
}

export interface Graph {
  activities: ActivityDef[];
  transitions: TransitionDef[];
  variables?: Record<string, unknown>;
}

export interface Problem {
  activity: string;
  transition: string;
  field: string;
  message: string;
}

export interface Ports {
  in: string[];
  out: string[];
}

export type PortMap = Record<string, Ports>;

export const RUN_STATUSES = ['running', 'paused', 'stopping', 'stopped', 'finished', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TASK_STATUSES = ['collecting', 'pending', 'running', 'waiting', 'done', 'failed', 'skipped', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface RunSummary {
  id: number;
  workflowId: number;
  number: number;
  status: RunStatus;
  dryRun: boolean;
  version: number;
  startedAt: string;
  startedBy: string;
  finishedAt: string | null;
  error: string;
}

export interface WorkflowSummary {
  id: number;
  label: string;
  description: string;
  version: number;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
  activeRun: RunSummary | null;
  lastRun: RunSummary | null;
}

export interface CheckResult {
  problems: Problem[];
  ports: PortMap;
}

export interface Workflow extends WorkflowSummary, CheckResult {
  graph: Graph;
}

export interface TaskInfo {
  id: number;
  activity: string;
  type: string;
  status: TaskStatus;
  attempts: number;
  wakeAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string;
}

export interface TransitionCount {
  transition: string;
  count: number | null;
  total: number;
  times: number;
  updatedAt: string | null;
}

export interface RunDetail extends RunSummary {
  variables: Record<string, unknown>;
  graph: Graph;
  tasks: TaskInfo[];
  transitions: TransitionCount[];
  activities: Record<string, { status: TaskStatus; tasks: number }>;
}

export type LogLevel = 'info' | 'warning' | 'error';

export interface RunLog {
  id: number;
  taskId: number | null;
  activity: string;
  level: LogLevel;
  message: string;
  rows: number | null;
  durationMs: number | null;
  at: string;
}

export type InputMode = 'none' | 'each' | 'all';
export type Category = 'flow' | 'targeting' | 'channel' | 'data';

export interface ActivityType {
  type: string;
  category: Category | string;
  label: string;
  inputMode: InputMode;
  canStart: boolean;
}

export interface NewWorkflow {
  label: string;
  description?: string;
  graph?: Graph;
}

export interface WorkflowPatch {
  label?: string;
  description?: string;
  graph?: Graph;
  version?: number;
}

export interface StartRequest {
  dryRun?: boolean;
  variables?: Record<string, unknown>;
}

export type RunCommand = 'pause' | 'resume' | 'stop' | 'restart';

export const WORKFLOWS_KEY = ['workflows'] as const;

const one = (id: number | string) => `${V1}/workflows/${encodeURIComponent(id)}`;

export const workflows = {
  list: ({ limit = 50, cursor, q }: { limit?: number; cursor?: string | null; q?: string } = {}, signal?: AbortSignal) =>
    apiFetch<Page<WorkflowSummary>>(`${V1}/workflows`, { query: { limit, cursor, q }, signal }),
  count: (signal?: AbortSignal) => apiFetch<{ count: number }>(`${V1}/workflows/_count`, { signal }),
  get: (id: number | string, signal?: AbortSignal) => apiFetch<Workflow>(one(id), { signal }),
  create: (body: NewWorkflow) => apiFetch<Workflow>(`${V1}/workflows`, { method: 'POST', body }),
  /** 409 when `version` is stale (someone saved in between). */
  update: (id: number | string, patch: WorkflowPatch) => apiFetch<Workflow>(one(id), { method: 'PATCH', body: patch }),
  /** 409 while a run is active. */
  remove: (id: number | string) => apiFetch<void>(one(id), { method: 'DELETE' }),
  check: (graph: Graph, signal?: AbortSignal) =>
    apiFetch<CheckResult>(`${V1}/workflows/check`, { method: 'POST', body: { graph }, signal }),
  activityTypes: (signal?: AbortSignal) => apiFetch<{ items: ActivityType[] }>(`${V1}/workflows/activity-types`, { signal }),
  /** 409 when a run is active or the graph has problems (details.problems: their count). */
  start: (id: number | string, body: StartRequest) =>
    apiFetch<RunDetail>(`${one(id)}/start`, { method: 'POST', body }),
  /** 409 when no run is active or it is in the wrong state. */
  command: (id: number | string, command: RunCommand) => apiFetch<RunDetail>(`${one(id)}/${command}`, { method: 'POST' }),
  signal: (id: number | string, activity: string, parameters: Record<string, unknown>) =>
    apiFetch<RunDetail>(`${one(id)}/signal/${encodeURIComponent(activity)}`, { method: 'POST', body: { parameters } }),
  runs: (id: number | string, { limit = 20, cursor }: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    apiFetch<Page<RunSummary>>(`${one(id)}/runs`, { query: { limit, cursor }, signal }),
  run: (id: number | string, runId: number | string, signal?: AbortSignal) =>
    apiFetch<RunDetail>(`${one(id)}/runs/${encodeURIComponent(runId)}`, { signal }),
  logs: (id: number | string, runId: number | string, { after, limit = 200 }: { after?: number | null; limit?: number } = {}, signal?: AbortSignal) =>
    apiFetch<Page<RunLog>>(`${one(id)}/runs/${encodeURIComponent(runId)}/logs`, { query: { after, limit }, signal }),
};

/** A run that still holds the workflow (running, paused or stopping). */
export function isActive(status: RunStatus | string | null | undefined): boolean {
  return status === 'running' || status === 'paused' || status === 'stopping';
}
