// The workflow routes and shapes the canvas relies on must match docs/openapi.yaml (the server's
// contract), as src/api/openapi.test.ts does for the rest of the client. Each
// `Record<keyof T, true>` must name exactly the fields of T (tsc rejects a missing or extra one).

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { RUN_STATUSES, TASK_STATUSES } from './api';
import type {
  ActivityDef, ActivityType, CheckResult, NewWorkflow, Problem, RunLog, RunSummary, TaskInfo, TransitionCount, TransitionDef, WorkflowPatch,
  WorkflowSummary,
} from './api';

const found = import.meta.glob<string>('../../../docs/openapi.yaml', { query: '?raw', import: 'default', eager: true });
const SPEC_TEXT = Object.values(found)[0];

type Schema = { properties?: Record<string, Schema>; items?: Schema; enum?: string[]; allOf?: Schema[]; $ref?: string };

const activity = { id: true, type: true, label: true, x: true, y: true, params: true, onError: true } satisfies Record<keyof ActivityDef, true>;
const transition = { id: true, from: true, fromPort: true, to: true, toPort: true } satisfies Record<keyof TransitionDef, true>;
const problem = { activity: true, transition: true, field: true, message: true } satisfies Record<keyof Problem, true>;
const check = { problems: true, ports: true } satisfies Record<keyof CheckResult, true>;
const type = { type: true, category: true, label: true, inputMode: true, canStart: true } satisfies Record<keyof ActivityType, true>;
const run = {
  id: true, workflowId: true, number: true, status: true, dryRun: true, version: true, startedAt: true, startedBy: true, finishedAt: true,
  error: true,
} satisfies Record<keyof RunSummary, true>;
const detailExtra = { variables: true, graph: true, tasks: true, transitions: true, activities: true };
const task = {
  id: true, activity: true, type: true, status: true, attempts: true, wakeAt: true, startedAt: true, finishedAt: true, error: true,
} satisfies Record<keyof TaskInfo, true>;
const count = { transition: true, count: true, total: true, times: true, updatedAt: true } satisfies Record<keyof TransitionCount, true>;
const summary = {
  id: true, label: true, description: true, version: true, createdAt: true, createdBy: true, modifiedAt: true, modifiedBy: true,
  activeRun: true, lastRun: true,
} satisfies Record<keyof WorkflowSummary, true>;
const log = { id: true, taskId: true, activity: true, level: true, message: true, rows: true, durationMs: true, at: true } satisfies Record<keyof RunLog, true>;
const created = { label: true, description: true, graph: true } satisfies Record<keyof NewWorkflow, true>;
const patch = { label: true, description: true, graph: true, version: true } satisfies Record<keyof WorkflowPatch, true>;

describe.skipIf(!SPEC_TEXT)('workflows match docs/openapi.yaml', () => {
  const spec = SPEC_TEXT ? parse(SPEC_TEXT) : null;
  const paths = (spec?.paths ?? {}) as Record<string, unknown>;
  const schemas = (spec?.components?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (s: Schema | undefined): Schema | undefined => (s?.$ref ? schemas[s.$ref.split('/').pop()!] : s);
  /** The properties of a schema, following $ref and allOf parts. */
  const props = (s: Schema | undefined): Record<string, Schema> => {
    const r = resolve(s);
    return Object.assign({}, r?.properties ?? {}, ...(r?.allOf ?? []).map((p) => props(p)));
  };
  const keys = (s: Schema | undefined) => Object.keys(props(s)).sort();
  const sorted = (o: object) => Object.keys(o).sort();

  it('declares every route the workflow pages call', () => {
    for (const p of ['/api/v1/workflows', '/api/v1/workflows/check', '/api/v1/workflows/activity-types', '/api/v1/workflows/{id}',
      '/api/v1/workflows/{id}/start', '/api/v1/workflows/{id}/pause', '/api/v1/workflows/{id}/resume', '/api/v1/workflows/{id}/stop',
      '/api/v1/workflows/{id}/restart', '/api/v1/workflows/{id}/signal/{activity}', '/api/v1/workflows/{id}/runs',
      '/api/v1/workflows/{id}/runs/{runId}', '/api/v1/workflows/{id}/runs/{runId}/logs']) {
      expect(Object.keys(paths)).toContain(p);
    }
  });

  it('has the same fields', () => {
    const graph = props(schemas.WorkflowGraph);
    expect(keys(graph.activities?.items)).toEqual(sorted(activity));
    expect(keys(graph.transitions?.items)).toEqual(sorted(transition));
    expect(keys(schemas.WorkflowProblem)).toEqual(sorted(problem));
    expect(keys(schemas.WorkflowCheck)).toEqual(sorted(check));
    expect(keys(schemas.WorkflowActivityType)).toEqual(sorted(type));
    expect(keys(schemas.WorkflowRun)).toEqual(sorted(run));
    expect(keys(schemas.WorkflowRunDetail)).toEqual([...sorted(run), ...Object.keys(detailExtra)].sort());
    const detail = props(schemas.WorkflowRunDetail);
    expect(keys(detail.tasks?.items)).toEqual(sorted(task));
    expect(keys(detail.transitions?.items)).toEqual(sorted(count));
    expect(keys(schemas.WorkflowSummary)).toEqual(sorted(summary));
    expect(keys(schemas.Workflow)).toEqual([...sorted(summary), 'graph', 'ports', 'problems'].sort());
    expect(keys(props(schemas.WorkflowLogPage).items?.items)).toEqual(sorted(log));
    expect(keys(schemas.NewWorkflow)).toEqual(sorted(created));
    expect(keys(schemas.WorkflowPatch)).toEqual(sorted(patch));
  });

  it('has the same statuses', () => {
    expect([...(props(schemas.WorkflowRun).status?.enum ?? [])].sort()).toEqual([...RUN_STATUSES].sort());
    const taskStatus = props(props(schemas.WorkflowRunDetail).tasks?.items).status;
    expect([...(taskStatus?.enum ?? [])].sort()).toEqual([...TASK_STATUSES].sort());
  });
});
